/**
 * The per-stream watcher's files in the temp dir (SPEC §3): the lock holding the
 * watcher's PID, the FIFO it writes `wake` to, and the done flag a worker touches
 * when it is idle and waiting.
 */
import { joinPath, tempDir } from "../config/paths.ts";
import { checkName } from "../core/names.ts";

/** Paths of one stream's watcher files. */
export interface WatcherFiles {
  stream: string;
  /** `<tmp>/sparkq-<stream>.lock`: the watcher's PID. */
  lock: string;
  /** `<tmp>/sparkq-<stream>-pipe`: the FIFO the worker blocks on. */
  fifo: string;
  /** `<tmp>/sparkq-<stream>-done`: the worker's "I am idle, wake me" flag. */
  done: string;
}

/** The watcher files of a stream; the name is checked so it can never be a path. */
export function watcherFiles(stream: string): WatcherFiles {
  checkName("stream", stream);
  const tmp = tempDir();
  return {
    stream,
    lock: joinPath(tmp, `sparkq-${stream}.lock`),
    fifo: joinPath(tmp, `sparkq-${stream}-pipe`),
    done: joinPath(tmp, `sparkq-${stream}-done`),
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
