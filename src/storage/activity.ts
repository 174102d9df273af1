/**
 * Reads for the dashboard's charts (SPEC §12.3): tasks finished per hour by outcome and
 * the median duration per tool, over a finished-at range. Both are ranges of the partial
 * index `idx_tasks_finished` (finished_at, status, auto_failed, tool_name, started_at),
 * so they read only the window's index entries (and, for one stream, those rows), never
 * the whole table, whatever its size.
 */
import type { Db } from "./db.ts";

/** How many tasks finished in one UTC hour with one outcome. */
export interface HourCount {
  /** The hour as `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  status: "succeeded" | "failed";
  auto_failed: number;
  n: number;
}

/** A stream condition: none, or one that reads the task row (`stream_id` is not in the index). */
const inStream = (streamId?: string) => streamId === undefined ? "" : "AND stream_id = ?";
const streamParam = (streamId?: string) => streamId === undefined ? [] : [streamId];
/** The task table read through the finished-at index (PostgreSQL's planner picks it itself). */
const finishedIndex = (db: Db) =>
  db.dialect === "postgres" ? "tasks" : "tasks INDEXED BY idx_tasks_finished";
/** PostgreSQL sorts text by the database's collation; SQLite (and this order) by bytes. */
const byteOrder = (db: Db) => db.dialect === "postgres" ? ' COLLATE "C"' : "";

/**
 * Tasks finished at or after `since` (ISO time), counted per UTC hour and outcome; of
 * one stream when `streamId` is given.
 */
export function finishedPerHour(db: Db, since: string, streamId?: string): HourCount[] {
  return db.all<HourCount>(
    `SELECT substr(finished_at, 1, 13) AS hour, status, auto_failed, COUNT(*) AS n
     FROM ${finishedIndex(db)}
     WHERE finished_at >= ? AND status IN ('succeeded', 'failed') ${inStream(streamId)}
     GROUP BY hour, status, auto_failed ORDER BY hour`,
    since,
    ...streamParam(streamId),
  ).map((r) => ({ ...r, auto_failed: Number(r.auto_failed), n: Number(r.n) }));
}

/** The median run time of one tool's tasks. */
export interface ToolMedian {
  tool_name: string;
  /** Median seconds from claim to report. */
  median_s: number;
  /** How many tasks it is the median of. */
  n: number;
}

/**
 * Median time from claim to report per tool, over the tasks that finished at or after
 * `since` with a report of their own (succeeded, or failed by the worker; auto-failed
 * tasks and never-claimed ones are left out); of one stream when `streamId` is given.
 * Tools in name order.
 */
export function medianDurationPerTool(db: Db, since: string, streamId?: string): ToolMedian[] {
  const seconds = db.dialect === "postgres"
    ? "extract(epoch FROM (finished_at::timestamptz - started_at::timestamptz))"
    : "unixepoch(finished_at, 'subsec') - unixepoch(started_at, 'subsec')";
  return db.all<ToolMedian>(
    `WITH d AS (
       SELECT tool_name, ${seconds} AS s
       FROM ${finishedIndex(db)}
       WHERE finished_at >= ? AND started_at IS NOT NULL AND auto_failed = 0
         AND status IN ('succeeded', 'failed') ${inStream(streamId)}
     ), r AS (
       SELECT tool_name, s, row_number() OVER (PARTITION BY tool_name ORDER BY s) AS i,
         COUNT(*) OVER (PARTITION BY tool_name) AS n
       FROM d
     )
     SELECT tool_name, round(AVG(s), 3) AS median_s, MAX(n) AS n FROM r
     WHERE i IN ((n + 1) / 2, (n + 2) / 2)
     GROUP BY tool_name ORDER BY tool_name${byteOrder(db)}`,
    since,
    ...streamParam(streamId),
  ).map((r) => ({ ...r, median_s: Number(r.median_s), n: Number(r.n) }));
}
