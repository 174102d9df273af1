/**
 * PID lock files, one protocol for the server's `sparkq.lock` and the watchers'
 * `sparkq-<stream>.lock`. The first line is the holder's PID; an optional second line
 * says how it runs (`watch`/`run` plus a nonce for a watcher; none for the server).
 *
 * Taking a lock: the text is written aside and hard-linked into place, so the file
 * appears complete in one step and two starters cannot both create it. A live holder
 * is refused; a lock naming a dead PID (or no PID) is replaced; a lock file that is a
 * symlink or belongs to another user is refused, never replaced or trusted.
 *
 * Signalling a holder (`sparkq stop`): a PID read from a file is only a claim, so
 * `verifyHolder` checks with the system that the process is the user's own SparkQ
 * process running the expected command before anyone sends it a signal.
 */
import { SparkqError } from "../core/errors.ts";
import { currentUid, isAlive, processInfo } from "./pid.ts";

/** What a lock file says. */
export interface LockHolder {
  pid: number;
  /** The first word of the second line (`watch`, `run`), when there is one. */
  role?: string;
  /** The file's whole text. */
  text: string;
}

/** Reads a lock file; undefined when it is missing or names no PID. */
export function readLock(path: string): LockHolder | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
  const [first, second = ""] = text.split("\n");
  const pid = Number(first.trim().split(/\s+/)[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const role = second.trim().split(/\s+/)[0] || undefined;
  return { pid, role, text };
}

/** A lock this process holds. */
export class HeldLock {
  constructor(
    readonly path: string,
    readonly text: string,
    /** What happened to a lock file found in place, if anything (for a note). */
    readonly replaced?: string,
  ) {}

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

/** Options of `acquireLock`. */
export interface AcquireOptions {
  /**
   * The second line's first word (`watch`, `run`); a nonce follows it, which tells two
   * locks of one process apart. None for a bare PID file (the server's).
   */
  label?: string;
  /** The refusal while a live process holds the lock. */
  busy(holder: LockHolder): SparkqError;
}

/**
 * Takes the lock at `path` for this process: refuses while a live process holds it
 * (`opts.busy`), replaces a stale one (dead PID, or no PID), refuses a symlink or a
 * lock file of another user's.
 */
export async function acquireLock(path: string, opts: AcquireOptions): Promise<HeldLock> {
  const text = `${Deno.pid}\n${opts.label ? `${opts.label} ${hex(8)}\n` : ""}`;
  const aside = `${path}.${hex(6)}.tmp`;
  try {
    Deno.writeTextFileSync(aside, text, { createNew: true, mode: 0o644 });
  } catch (e) {
    throw new SparkqError(
      `cannot create the lock file ${path}: ${e instanceof Error ? e.message : e}`,
      { code: e instanceof Deno.errors.NotCapable ? "permission" : "internal" },
    );
  }
  let replaced: string | undefined;
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        Deno.linkSync(aside, path);
        return new HeldLock(path, text, replaced);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      checkForeign(path, "lock file");
      const holder = readLock(path);
      if (holder && await isAlive(holder.pid)) throw opts.busy(holder);
      replaced = holder
        ? `replaced a stale lockfile (PID ${holder.pid} is gone)`
        : "replaced an unreadable lockfile";
      try {
        Deno.removeSync(path);
      } catch { /* someone else removed it first */ }
    }
    throw new SparkqError(`could not take ${path}: other processes keep replacing it`, {
      code: "locked",
    });
  } finally {
    try {
      Deno.removeSync(aside);
    } catch { /* gone */ }
  }
}

/**
 * Refuses (code `permission`) when the file at `path` is a symlink or belongs to another
 * user: SparkQ neither trusts nor replaces it. A missing file passes.
 */
export function checkForeign(path: string, what: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch {
    return;
  }
  if (info.isSymlink) {
    throw new SparkqError(`the ${what} ${path} is a symlink: SparkQ does not follow it`, {
      code: "permission",
      hint: `remove it if you made it (rm ${path}); SparkQ creates its own`,
    });
  }
  const uid = currentUid();
  if (info.uid !== null && uid !== null && info.uid !== uid) {
    throw new SparkqError(
      `the ${what} ${path} belongs to another user (uid ${info.uid}): SparkQ will not trust or replace it`,
      {
        code: "permission",
        hint:
          `remove it as its owner or root (rm ${path}), or set SPARKQ_TMPDIR to a private directory`,
      },
    );
  }
}

/** What a lock's holder must be for `stop` to signal it. */
export type Expected =
  | { command: "watch"; stream: string }
  | { command: "run" };

/**
 * Checks with the system (`ps`) that `pid` is the user's own SparkQ process running
 * `expected` (`sparkq watch <stream>`, or the server `sparkq run`). Returns undefined
 * when it is, else why not (one line).
 */
export async function verifyHolder(pid: number, expected: Expected): Promise<string | undefined> {
  let info;
  try {
    info = await processInfo(pid);
  } catch (e) {
    return `cannot check what PID ${pid} is: ${e instanceof Error ? e.message : e}`;
  }
  if (!info) return `PID ${pid} is gone`;
  const uid = currentUid();
  if (uid !== null && info.uid !== uid) {
    return `PID ${pid} belongs to another user (uid ${info.uid})`;
  }
  const words = sparkqCommand(info.args);
  const what = expected.command === "watch"
    ? `the SparkQ watcher of stream '${expected.stream}'`
    : "a SparkQ server ('sparkq run')";
  const ok = words !== undefined && words[0] === expected.command &&
    (expected.command === "run" || words[1] === expected.stream);
  if (ok) return undefined;
  const shown = info.args.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, "?");
  return `PID ${pid} is not ${what} (it runs: ${
    shown.length > 100 ? shown.slice(0, 100) + "…" : shown
  })`;
}

/**
 * The SparkQ command and its positional arguments in a process's command line, or
 * undefined when it is not SparkQ: `deno run … main.ts|sparkq.js <command> …` (the task,
 * the launcher), or a compiled `sparkq…` binary. `--config PATH` and other flags are
 * skipped.
 */
export function sparkqCommand(args: string): string[] | undefined {
  const viaDeno = args.match(/^(?:\S*\/)?deno\s.*?(?:^|\s|\/)(?:main\.ts|sparkq\.js)(?:\s+(.*))?$/);
  const compiled = args.match(/^(?:\S*\/)?sparkq[\w.-]*(?:\s+(.*))?$/);
  if (!viaDeno && !compiled) return undefined;
  const rest = (viaDeno ?? compiled)![1] ?? "";
  const tokens = rest.split(/\s+/).filter((t) => t !== "");
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "--config") i++;
    else if (!t.startsWith("-")) words.push(t);
  }
  return words;
}

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}
