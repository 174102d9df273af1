/**
 * The server's lockfile, `sparkq.lock` next to sparkq.yml (SPEC §3, §8): it holds the
 * PID of the running server. A second server is refused while that PID lives; a
 * lockfile naming a dead PID is replaced; the server removes it when it exits.
 */
import { SparkqError } from "../core/errors.ts";
import { isAlive, readPid } from "../platform/pid.ts";

/** A held lockfile. */
export interface ServerLock {
  path: string;
  /** What happened to a lockfile found in place, if any (for a note on start). */
  replaced?: string;
  /** Removes the lockfile if it still names this process. */
  release(): void;
}

/** Takes the lockfile at `path` for this process, or refuses while a live server holds it. */
export async function acquireLock(path: string, hint?: string): Promise<ServerLock> {
  let replaced: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const file = Deno.openSync(path, { write: true, createNew: true });
      try {
        file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
      } finally {
        file.close();
      }
      return { path, replaced, release: () => releaseLock(path) };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) {
        throw new SparkqError(
          `cannot create the lockfile ${path}: ${e instanceof Error ? e.message : e}`,
        );
      }
    }
    let pid = readPid(path);
    if (pid === undefined) {
      // Maybe another server is between creating the file and writing its PID.
      await new Promise((r) => setTimeout(r, 150));
      pid = readPid(path);
    }
    if (pid !== undefined && pid !== Deno.pid && await isAlive(pid)) {
      throw new SparkqError(
        `the server is already running (PID ${pid}, lockfile ${path})`,
        { hint: hint ?? "stop it with 'sparkq stop'" },
      );
    }
    replaced = pid === undefined
      ? "replaced an unreadable lockfile"
      : `replaced a stale lockfile (PID ${pid} is gone)`;
    try {
      Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new SparkqError(
          `cannot replace the stale lockfile ${path}: ${e instanceof Error ? e.message : e}`,
        );
      }
    }
  }
  throw new SparkqError(`could not take the lockfile ${path}: another server keeps starting`);
}

/** Removes the lockfile at `path` when it names this process. */
export function releaseLock(path: string): void {
  if (readPid(path) !== Deno.pid) return;
  try {
    Deno.removeSync(path);
  } catch { /* already gone */ }
}
