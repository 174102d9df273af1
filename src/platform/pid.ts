/**
 * Process liveness, identity and signals. Deno's own `Deno.kill` needs unscoped
 * --allow-run, so SparkQ runs the system's `kill` under `--allow-run=kill` instead; Deno
 * refuses to read /proc/<pid> without --allow-all, so a process's owner and command line
 * come from the system's `ps` (`--allow-run=ps`). The user's own uid needs
 * `--allow-sys=uid`.
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

/** The uid this process runs as (null where the platform has none). */
export function currentUid(): number | null {
  return Deno.uid();
}

/** Who runs a process and with what command line. */
export interface ProcessInfo {
  uid: number;
  /** The command line, arguments joined by spaces (as `ps -o args` prints it). */
  args: string;
}

/**
 * The owner and command line of a live process; undefined when no such process exists.
 * Throws a plain Error when `ps` cannot be run (not installed, or not allowed).
 */
export async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ps", {
      args: ["-ww", "-o", "uid=", "-o", "args=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch (e) {
    throw new Error(
      e instanceof Deno.errors.NotFound
        ? "the 'ps' program is not installed (procps)"
        : `cannot run 'ps': ${e instanceof Error ? e.message : e}`,
    );
  }
  const m = new TextDecoder().decode(out.stdout).match(/^\s*(\d+)\s+(.*?)\s*$/m);
  if (!out.success || !m) return undefined;
  return { uid: Number(m[1]), args: m[2] };
}
