/**
 * The time rules of running tasks (SPEC §5, §12.1): stale past the timeout, dead
 * (auto-failed) past twice the timeout, both counted from the later of `started_at` and
 * `heartbeat_at`. `deadlines()` is the one place a deadline is computed; everything
 * that shows or acts on one (listings, `task`, the UI, the sweep, the server's read
 * cache) goes through it.
 */

/** The part of a running task the time rules read. */
export interface Running {
  started_at: string | null;
  /** The last heartbeat, if any (SPEC §12.1). */
  heartbeat_at?: string | null;
  timeout: number;
}

/** How many timeouts a running task may go without a report before it is auto-failed. */
export const AUTO_FAIL_FACTOR = 2;

/** Seconds after which a task with this timeout is auto-failed (from its last sign of life). */
export function autoFailAfter(timeout: number): number {
  return AUTO_FAIL_FACTOR * timeout;
}

/** A running task's deadlines in ms since the epoch. */
export interface DeadlinesMs {
  /** The moment the deadlines count from: the later of started_at and heartbeat_at. */
  since: number;
  /** Stale once the clock is past this. */
  staleAt: number;
  /** Auto-failed once the clock is past this. */
  autoFailAt: number;
}

/** When a task turns stale and when it is auto-failed, in ms; undefined when not started. */
export function deadlinesMs(t: Running): DeadlinesMs | undefined {
  if (!t.started_at) return undefined;
  const started = Date.parse(t.started_at);
  const beat = t.heartbeat_at ? Date.parse(t.heartbeat_at) : NaN;
  const since = beat > started ? beat : started;
  return {
    since,
    staleAt: since + t.timeout * 1000,
    autoFailAt: since + autoFailAfter(t.timeout) * 1000,
  };
}

/** When a running task turns stale and when it is auto-failed, as ISO times. */
export function deadlines(t: Running): { stale_at: string; auto_fail_at: string } | undefined {
  const d = deadlinesMs(t);
  if (!d) return undefined;
  return {
    stale_at: new Date(d.staleAt).toISOString(),
    auto_fail_at: new Date(d.autoFailAt).toISOString(),
  };
}

/** Stale: running, and the clock is past its stale deadline. */
export function isStale(t: Running & { status?: string }, nowMs: number): boolean {
  if (t.status !== undefined && t.status !== "running") return false;
  const d = deadlinesMs(t);
  return d !== undefined && nowMs > d.staleAt;
}

/** Dead: the clock is past its auto-fail deadline; the auto-fail rule applies. */
export function isDead(t: Running, nowMs: number): boolean {
  const d = deadlinesMs(t);
  return d !== undefined && nowMs > d.autoFailAt;
}

/** The error an auto-failed task gets (its text is SPEC §5's). */
export function autoFailMessage(timeout: number): string {
  return `Auto-failed: task exceeded 2x timeout (${
    autoFailAfter(timeout)
  }s) with no complete/fail reported. ` +
    "Likely worker crash or disconnect.";
}

/** Auto-failed: a failed task the sweep failed (the `auto_failed` column, not the message). */
export function isAutoFailed(
  t: { status: string; auto_failed: number | boolean | null | undefined },
): boolean {
  return t.status === "failed" && Number(t.auto_failed ?? 0) === 1;
}
