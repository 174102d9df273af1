/**
 * The dashboard's charts (SPEC §12.3): tasks finished per hour over the last 24 hours by
 * outcome, and the median run time per tool over the same hours. One engine call; the
 * SQL (index ranges over finished_at) is in storage/activity.ts.
 */
import { finishedPerHour, medianDurationPerTool, type ToolMedian } from "../storage/activity.ts";
import { type EngineContext, nowMs } from "./context.ts";
import { requireStream } from "./streams.ts";

/** How many hours the charts cover. */
export const ACTIVITY_HOURS = 24;

/** One hour of the throughput chart. */
export interface HourBar {
  /** Start of the hour, ISO UTC (`2026-12-02T01:00:00.000Z`). */
  start: string;
  succeeded: number;
  failed: number;
  /** Failed by the auto-fail sweep (not counted in `failed`). */
  auto_failed: number;
}

/** The data of the dashboard's charts. */
export interface Activity {
  /** `ACTIVITY_HOURS` hours, oldest first, the current (partial) hour last. */
  hours: HourBar[];
  /** Median run time per tool over the same hours (tools with a finished task). */
  tools: ToolMedian[];
}

const HOUR_MS = 3_600_000;

/**
 * The charts' data for the last `ACTIVITY_HOURS` hours (whole UTC hours), of all
 * streams or of one (not-found error for an unknown one).
 */
export function activity(ctx: EngineContext, filter: { stream?: string } = {}): Activity {
  const streamId = filter.stream ? requireStream(ctx, filter.stream).id : undefined;
  const firstHour = Math.floor(nowMs(ctx) / HOUR_MS) * HOUR_MS - (ACTIVITY_HOURS - 1) * HOUR_MS;
  const since = new Date(firstHour).toISOString();
  const hours: HourBar[] = [];
  const byKey = new Map<string, HourBar>();
  for (let i = 0; i < ACTIVITY_HOURS; i++) {
    const start = new Date(firstHour + i * HOUR_MS).toISOString();
    const bar = { start, succeeded: 0, failed: 0, auto_failed: 0 };
    hours.push(bar);
    byKey.set(start.slice(0, 13), bar);
  }
  for (const r of finishedPerHour(ctx.db, since, streamId)) {
    const bar = byKey.get(r.hour);
    if (!bar) continue; // finished "in the future" (a clock set back): not charted
    if (r.status === "succeeded") bar.succeeded += r.n;
    else if (r.auto_failed) bar.auto_failed += r.n;
    else bar.failed += r.n;
  }
  return { hours, tools: medianDurationPerTool(ctx.db, since, streamId) };
}
