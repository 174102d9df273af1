/**
 * The time rules of running tasks (SPEC §5): stale past the timeout, dead (auto-failed)
 * past twice the timeout. Everything that shows or acts on these uses this module.
 */

/** The part of a running task the time rules read. */
export interface Running {
  started_at: string | null;
  timeout: number;
}

/** Seconds a task has been running at `nowMs` (0 when it has not started). */
export function runningSeconds(t: Running, nowMs: number): number {
  return t.started_at ? (nowMs - Date.parse(t.started_at)) / 1000 : 0;
}

/** Stale: running for longer than its timeout. */
export function isStale(t: Running & { status?: string }, nowMs: number): boolean {
  return (t.status === undefined || t.status === "running") &&
    runningSeconds(t, nowMs) > t.timeout;
}

/** Dead: running for longer than twice its timeout; the auto-fail rule applies. */
export function isDead(t: Running, nowMs: number): boolean {
  return runningSeconds(t, nowMs) > 2 * t.timeout;
}

/** The error an auto-failed task gets. */
export function autoFailMessage(timeout: number): string {
  return `Auto-failed: task exceeded 2x timeout (${
    2 * timeout
  }s) with no complete/fail reported. ` +
    "Likely worker crash or disconnect.";
}

/** Auto-failed: a failed task whose error is the auto-fail message. */
export function isAutoFailed(t: { status: string; error: string | null }): boolean {
  return t.status === "failed" && (t.error?.startsWith("Auto-failed:") ?? false);
}

/** When a running task turns stale and when it is auto-failed, as ISO times. */
export function deadlines(t: Running): { stale_at: string; auto_fail_at: string } | undefined {
  if (!t.started_at) return undefined;
  const start = Date.parse(t.started_at);
  return {
    stale_at: new Date(start + t.timeout * 1000).toISOString(),
    auto_fail_at: new Date(start + 2 * t.timeout * 1000).toISOString(),
  };
}
