/**
 * The watcher's lock file: `<tmp>/sparkq-<stream>.lock` holds the PID of the process
 * running the stream's watcher (first line) and, on the second line, how it runs
 * (`watch` = its own `sparkq watch` process, `run` = inside the `sparkq run` server)
 * plus a nonce that tells two watchers of one process apart.
 */
import { SparkqError } from "../core/errors.ts";
import { isAlive } from "../platform/pid.ts";
import { randomHex } from "./random.ts";

/** How a watcher runs: its own process (`watch`) or inside the server (`run`). */
export type LockKind = "watch" | "run";

/** What a lock file says. */
export interface LockInfo {
  pid: number;
  /** Undefined for a lock written by something else (a bare PID). */
  kind?: LockKind;
  /** The file's whole text. */
  text: string;
}

/** Reads a lock file; undefined when it is missing or names no PID. */
export function readLock(path: string): LockInfo | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
  const [first, second = ""] = text.split("\n");
  const pid = Number(first.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const word = second.trim().split(/\s+/)[0];
  const kind = word === "watch" || word === "run" ? word : undefined;
  return { pid, kind, text };
}

/** A lock this process holds. */
export class HeldLock {
  constructor(readonly path: string, readonly text: string) {}

  /** True while the file still holds exactly what we wrote (not removed or taken over). */
  owned(): boolean {
    try {
      return Deno.readTextFileSync(this.path) === this.text;
    } catch {
      return false;
    }
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    if (!this.owned()) return;
    try {
      Deno.removeSync(this.path);
    } catch { /* already gone */ }
  }
}

/**
 * Takes the lock for `stream`: refuses (naming the holder's PID) while a live process
 * holds it, replaces a stale one (dead PID or unreadable). The file appears with its
 * content in one step (written aside, then hard-linked into place), so a reader never
 * sees it empty and two starters cannot both create it.
 */
export async function acquireLock(
  path: string,
  stream: string,
  kind: LockKind,
): Promise<HeldLock> {
  const text = `${Deno.pid}\n${kind} ${randomHex(8)}\n`;
  const aside = `${path}.${randomHex(6)}.tmp`;
  Deno.writeTextFileSync(aside, text);
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        Deno.linkSync(aside, path);
        return new HeldLock(path, text);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      const holder = readLock(path);
      if (holder && await isAlive(holder.pid)) {
        const where = holder.kind === "run"
          ? ` (inside the 'sparkq run' server)`
          : holder.pid === Deno.pid
          ? " (this process)"
          : "";
        throw new SparkqError(
          `stream '${stream}' already has a watcher: PID ${holder.pid}${where} holds ${path}`,
          { status: 409, hint: `stop it with 'sparkq stop --stream ${stream}'` },
        );
      }
      try {
        Deno.removeSync(path); // stale: its PID is gone
      } catch { /* someone else removed it first */ }
    }
    throw new SparkqError(`could not take ${path}: other processes keep replacing it`);
  } finally {
    try {
      Deno.removeSync(aside);
    } catch { /* gone */ }
  }
}
