/**
 * Stopping watchers and the server from another process (`sparkq stop`). A watcher in
 * its own process gets SIGTERM; a watcher inside the server is stopped by removing its
 * lock, which it notices at its next poll, so the server keeps running.
 */
import { isAlive, readPid, signal } from "../platform/pid.ts";
import { watcherFiles } from "./files.ts";
import { readLock } from "./lock.ts";

/** What stopping one thing did. */
export interface StopOutcome {
  /** One line for the user. */
  message: string;
  /** A PID that was sent SIGTERM and must be waited for. */
  signalled?: number;
  /** False when there was nothing to stop. */
  acted: boolean;
}

/**
 * Stops the watcher of `stream`, whichever way it runs. `serverToo` says the server is
 * being stopped as well (only changes the wording for a watcher inside it).
 */
export async function stopWatcher(stream: string, serverToo = false): Promise<StopOutcome> {
  const { lock } = watcherFiles(stream);
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
  if (holder.kind === "run" || holder.pid === Deno.pid) {
    // Inside the server: removing the lock stops that watcher alone.
    removeFile(lock);
    return {
      acted: true,
      message: `Stopped the watcher of stream '${stream}' inside the server (PID ${holder.pid})` +
        (serverToo ? "." : "; the server keeps running."),
    };
  }
  await signal(holder.pid, "TERM");
  return {
    acted: true,
    signalled: holder.pid,
    message: `Stopped the watcher of stream '${stream}' (PID ${holder.pid}).`,
  };
}

/** Stops the server whose lockfile is `lockPath`. */
export async function stopServer(lockPath: string): Promise<StopOutcome> {
  const pid = readPid(lockPath);
  if (pid === undefined) return { acted: false, message: "The server is not running." };
  if (!(await isAlive(pid))) {
    removeFile(lockPath);
    return {
      acted: true,
      message: `The server is not running; removed its stale lockfile (PID ${pid} is gone).`,
    };
  }
  await signal(pid, "TERM");
  return { acted: true, signalled: pid, message: `Stopped the server (PID ${pid}).` };
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
