/**
 * Stopping watchers and the server from another process (`sparkq stop`). A watcher in
 * its own process gets SIGTERM; a watcher inside the server is stopped by removing its
 * lock, which it notices at its next poll, so the server keeps running. A PID read from
 * a lock file is signalled only after the system confirms it is the user's own SparkQ
 * watcher of that stream (or SparkQ server): anything else is refused, untouched.
 */
import { isAlive, signal } from "../platform/pid.ts";
import { checkForeign, type Expected, readLock, verifyHolder } from "../platform/pid_lock.ts";
import { watcherFiles } from "./files.ts";

/** What stopping one thing did. */
export interface StopOutcome {
  /** One line for the user. */
  message: string;
  /** A PID that was sent SIGTERM and must be waited for. */
  signalled?: number;
  /** False when there was nothing to stop. */
  acted: boolean;
  /** Set when a lock names a process SparkQ will not signal: the message says why. */
  refused?: boolean;
}

/**
 * Stops the watcher of `stream`, whichever way it runs. `serverToo` says the server is
 * being stopped as well (only changes the wording for a watcher inside it).
 */
export async function stopWatcher(stream: string, serverToo = false): Promise<StopOutcome> {
  const { lock } = watcherFiles(stream);
  checkForeign(lock, "lock file");
  const holder = readLock(lock);
  if (!holder) {
    if (removeFile(lock)) {
      return { acted: true, message: `Removed an unreadable watcher lock ${lock}.` };
    }
    return { acted: false, message: `No watcher is running for stream '${stream}'.` };
  }
  if (!(await isAlive(holder.pid))) {
    removeFile(lock);
    return {
      acted: true,
      message: `Removed the stale lock of stream '${stream}' (PID ${holder.pid} is gone).`,
    };
  }
  if (holder.role === "run" || holder.pid === Deno.pid) {
    // Inside the server: removing the lock stops that watcher alone; nothing is signalled.
    removeFile(lock);
    return {
      acted: true,
      message: `Stopped the watcher of stream '${stream}' inside the server (PID ${holder.pid})` +
        (serverToo ? "." : "; the server keeps running."),
    };
  }
  return await signalVerified(holder.pid, { command: "watch", stream }, lock, {
    done: `Stopped the watcher of stream '${stream}' (PID ${holder.pid}).`,
  });
}

/** Stops the server whose lockfile is `lockPath`. */
export async function stopServer(lockPath: string): Promise<StopOutcome> {
  checkForeign(lockPath, "lockfile");
  const pid = readLock(lockPath)?.pid;
  if (pid === undefined) return { acted: false, message: "The server is not running." };
  if (!(await isAlive(pid))) {
    removeFile(lockPath);
    return {
      acted: true,
      message: `The server is not running; removed its stale lockfile (PID ${pid} is gone).`,
    };
  }
  return await signalVerified(pid, { command: "run" }, lockPath, {
    done: `Stopped the server (PID ${pid}).`,
  });
}

/** Sends SIGTERM to `pid` if it is what the lock at `lock` claims; else a refusal. */
async function signalVerified(
  pid: number,
  expected: Expected,
  lock: string,
  text: { done: string },
): Promise<StopOutcome> {
  const why = await verifyHolder(pid, expected);
  if (why !== undefined) {
    return {
      acted: false,
      refused: true,
      message: `${lock} names PID ${pid}, but ${why.replace(/^PID \d+ /, "it ")}: not signalled. ` +
        `If nothing of SparkQ's runs there, remove ${lock}.`,
    };
  }
  await signal(pid, "TERM");
  return { acted: true, signalled: pid, message: text.done };
}

/** Waits until every PID has exited or `ms` passed; returns the ones still alive. */
export async function waitForExit(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pids;
  for (;;) {
    const states = await Promise.all(alive.map((pid) => isAlive(pid)));
    alive = alive.filter((_, i) => states[i]);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function removeFile(path: string): boolean {
  try {
    Deno.removeSync(path);
    return true;
  } catch {
    return false;
  }
}
