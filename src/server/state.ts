/** Whether the server is up: its lockfile names a live PID and /api/health answers. */
import type { LoadedConfig } from "../config/load.ts";
import { isAlive } from "../platform/pid.ts";
import { readLock } from "../platform/pid_lock.ts";

/** The server as `status` reports it. */
export interface ServerState {
  running: boolean;
  pid: number | null;
  port: number;
  url: string;
  /** Why it counts as down, when it does. */
  note?: string;
}

/** Probes the server of this config. */
export async function serverState(loaded: LoadedConfig): Promise<ServerState> {
  const port = loaded.config.server.port;
  const url = `http://127.0.0.1:${port}`;
  const pid = readLock(loaded.lockPath)?.pid;
  if (pid === undefined) return { running: false, pid: null, port, url, note: "not running" };
  if (!(await isAlive(pid))) {
    return { running: false, pid, port, url, note: `stale lockfile (PID ${pid} is gone)` };
  }
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1500) });
    await res.body?.cancel();
    if (res.ok) return { running: true, pid, port, url };
    return {
      running: false,
      pid,
      port,
      url,
      note: `PID ${pid} alive but /api/health answered ${res.status}`,
    };
  } catch {
    return {
      running: false,
      pid,
      port,
      url,
      note: `PID ${pid} alive but /api/health does not answer`,
    };
  }
}
