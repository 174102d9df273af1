/**
 * Process liveness and signals. Deno's own `Deno.kill` needs unscoped --allow-run,
 * so SparkQ runs the system's `kill` under `--allow-run=kill` instead.
 */

/** True when a process with this PID exists. */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === Deno.pid) return true;
  const out = await new Deno.Command("kill", {
    args: ["-0", String(pid)],
    stdout: "null",
    stderr: "null",
  })
    .output();
  return out.success;
}

/** Sends a signal (default SIGTERM) to a PID; false when the process is gone. */
export async function signal(pid: number, sig: "TERM" | "KILL" | "INT" = "TERM"): Promise<boolean> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  const out = await new Deno.Command("kill", {
    args: [`-${sig}`, String(pid)],
    stdout: "null",
    stderr: "null",
  })
    .output();
  return out.success;
}

/** Reads a PID file; undefined when missing or not a number. */
export function readPid(path: string): number | undefined {
  try {
    const n = Number(Deno.readTextFileSync(path).trim().split(/\s+/)[0]);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
