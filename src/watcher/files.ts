/**
 * The per-stream watcher's files (SPEC §3, §12.4) in the user's private temp dir
 * ($SPARKQ_TMPDIR, else /tmp/sparkq-<uid>, mode 0700): the lock holding the watcher's
 * PID, the FIFO it writes `wake` to, and the done flag a worker touches when it is idle
 * and waiting. `sparkq watch <stream> --paths` prints them for scripts.
 */
import { joinPath, tempDir } from "../config/paths.ts";
import { checkName } from "../core/names.ts";
import { ensurePrivateDir } from "../platform/private_dir.ts";

/** Paths of one stream's watcher files. */
export interface WatcherFiles {
  stream: string;
  /** `<dir>/sparkq-<stream>.lock`: the watcher's PID. */
  lock: string;
  /** `<dir>/sparkq-<stream>-pipe`: the FIFO the worker blocks on. */
  fifo: string;
  /** `<dir>/sparkq-<stream>-done`: the worker's "I am idle, wake me" flag. */
  done: string;
}

/**
 * The watcher files of a stream. The name is checked so it can never be a path; the
 * private dir is created when missing and refused when it is not private (code
 * `permission`).
 */
export function watcherFiles(stream: string): WatcherFiles {
  checkName("stream", stream);
  const { path, from } = tempDir();
  const dir = ensurePrivateDir(path, from);
  return {
    stream,
    lock: joinPath(dir, `sparkq-${stream}.lock`),
    fifo: joinPath(dir, `sparkq-${stream}-pipe`),
    done: joinPath(dir, `sparkq-${stream}-done`),
  };
}

/** True when a path exists (any file type), without following a final symlink. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
