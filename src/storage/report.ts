/**
 * The SQL of `sparkq report` and `sparkq follow` (SPEC §12.3): the tasks of a set of
 * streams read in one pass without their outputs (only the end of a failed task's
 * stderr), the copies requeued from them, and the task rows an event feed derives its
 * events from.
 */
import type { TaskStatus } from "../core/constants.ts";
import type { Db } from "./db.ts";

/** How many bytes at the end of a failed task's stderr a report reads. */
export const REPORT_STDERR_TAIL_BYTES = 2048;

/** A task as a report reads it: no payload or outputs, the summary taken out of the result. */
export interface ReportTaskRow {
  id: string;
  stream_id: string;
  tool_name: string;
  status: TaskStatus;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  auto_failed: number;
  /** finished_at − started_at in ms (null unless both are set). */
  run_ms: number | null;
  /** `result.summary` when it is text. */
  summary: string | null;
  error: string | null;
  /** The raw last bytes of a failed task's stderr (may start inside a character). */
  stderr_tail: Uint8Array | null;
  stderr_bytes: number;
  /** JSON text of the progress notes. */
  notes: string | null;
  /** JSON text `{at, outcome, summary, error, stderr_bytes}` of a late report. */
  late_report: string | null;
  requeued_from: string | null;
}

/**
 * The tasks of these streams, oldest first per stream (stream order as given). With
 * `since`, only tasks created or finished at or after it, and every task still queued
 * or running.
 */
export function reportTasks(db: Db, streamIds: string[], since?: string): ReportTaskRow[] {
  const window = since === undefined
    ? ""
    : "AND (t.created_at >= ?2 OR t.finished_at >= ?2 OR t.status IN ('queued', 'running'))";
  const params = since === undefined
    ? [JSON.stringify(streamIds)]
    : [JSON.stringify(streamIds), since];
  return db.all<ReportTaskRow>(
    db.dialect === "postgres" ? pgReportTasks(window) : sqliteReportTasks(window),
    ...params,
  );
}

function sqliteReportTasks(window: string): string {
  return `SELECT t.id, t.stream_id, t.tool_name, t.status, t.attempts, t.created_at, t.started_at,
       t.finished_at, t.heartbeat_at, t.auto_failed,
       CAST(ROUND((julianday(t.finished_at) - julianday(t.started_at)) * 86400000) AS INTEGER)
         AS run_ms,
       CASE WHEN json_type(t.result, '$.summary') = 'text'
         THEN json_extract(t.result, '$.summary') END AS summary,
       t.error,
       CASE WHEN t.status = 'failed' AND t.stderr IS NOT NULL
         THEN substr(CAST(t.stderr AS BLOB), -${REPORT_STDERR_TAIL_BYTES}) END AS stderr_tail,
       COALESCE(octet_length(t.stderr), 0) AS stderr_bytes,
       t.notes,
       CASE WHEN t.late_report IS NULL THEN NULL ELSE json_object(
         'at', json_extract(t.late_report, '$.at'),
         'outcome', json_extract(t.late_report, '$.outcome'),
         'summary', CASE WHEN json_type(t.late_report, '$.result.summary') = 'text'
           THEN json_extract(t.late_report, '$.result.summary') END,
         'error', json_extract(t.late_report, '$.error'),
         'stderr_bytes', COALESCE(octet_length(json_extract(t.late_report, '$.stderr')), 0))
       END AS late_report,
       t.requeued_from
     FROM json_each(?1) AS k JOIN tasks t ON t.stream_id = k.value
     WHERE 1 ${window}
     ORDER BY k.key, t.created_at, t.rowid`;
}

/**
 * PostgreSQL's `reportTasks`: times are ISO text (cast to compute run_ms), JSON is read
 * as jsonb, the stderr tail is the last bytes of its UTF-8 form (bytea), the late report
 * is built as JSON text (a json value would reach the caller parsed), and the streams
 * keep their given order through the array's ordinality.
 */
function pgReportTasks(window: string): string {
  const late = "t.late_report::jsonb";
  // The last N characters hold at least the last N bytes: only they are converted.
  const stderr = `convert_to(right(t.stderr, ${REPORT_STDERR_TAIL_BYTES}), 'UTF8')`;
  return `SELECT t.id, t.stream_id, t.tool_name, t.status, t.attempts, t.created_at, t.started_at,
       t.finished_at, t.heartbeat_at, t.auto_failed,
       round(extract(epoch FROM (t.finished_at::timestamptz - t.started_at::timestamptz))
         * 1000)::bigint AS run_ms,
       ${pgSummary("t.result::jsonb")} AS summary,
       t.error,
       CASE WHEN t.status = 'failed' AND t.stderr IS NOT NULL
         THEN substr(${stderr}, greatest(octet_length(${stderr}) - ${
    REPORT_STDERR_TAIL_BYTES - 1
  }, 1)) END AS stderr_tail,
       COALESCE(octet_length(t.stderr), 0) AS stderr_bytes,
       t.notes,
       CASE WHEN t.late_report IS NULL THEN NULL ELSE json_build_object(
         'at', ${late} -> 'at',
         'outcome', ${late} -> 'outcome',
         'summary', ${pgSummary(`${late} -> 'result'`)},
         'error', ${late} -> 'error',
         'stderr_bytes', COALESCE(octet_length(${late} ->> 'stderr'), 0))::text
       END AS late_report,
       t.requeued_from
     FROM jsonb_array_elements_text(?1::text::jsonb) WITH ORDINALITY AS k(value, key)
       JOIN tasks t ON t.stream_id = k.value
     WHERE TRUE ${window}
     ORDER BY k.key, t.created_at, t.rowid`;
}

/** PostgreSQL: the `summary` of a jsonb object when it is a string, else NULL. */
function pgSummary(json: string): string {
  return `CASE WHEN jsonb_typeof(${json} -> 'summary') = 'string' THEN ${json} ->> 'summary' END`;
}

/** The stream IDs of a JSON array parameter, as a subquery (`IN (…)`). */
function idsIn(db: Db, param: string): string {
  return db.dialect === "postgres"
    ? `SELECT jsonb_array_elements_text(${param}::text::jsonb)`
    : `SELECT value FROM json_each(${param})`;
}

/** A copy requeued from a task. */
export interface CopyRow {
  id: string;
  requeued_from: string;
  status: TaskStatus;
  stream_name: string;
}

/** Every copy requeued from a task of these streams (wherever the copy went), oldest first. */
export function copiesOf(db: Db, streamIds: string[]): CopyRow[] {
  return db.all<CopyRow>(
    `SELECT c.id, c.requeued_from, c.status, s.name AS stream_name
     FROM tasks c JOIN tasks o ON o.id = c.requeued_from JOIN streams s ON s.id = c.stream_id
     WHERE c.requeued_from IS NOT NULL
       AND o.stream_id IN (${idsIn(db, "?")})
     ORDER BY c.created_at, c.rowid`,
    JSON.stringify(streamIds),
  );
}

/** A task as an event feed reads it: what its events are made of. */
export interface FeedRow {
  id: string;
  stream_id: string;
  stream_name: string;
  tool_name: string;
  status: TaskStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  auto_failed: number;
  summary: string | null;
  error: string | null;
  /** JSON text of the progress notes. */
  notes: string | null;
  requeued_from: string | null;
}

/** The columns of a `FeedRow` (over `tasks t JOIN streams s`). */
function feedColumns(db: Db): string {
  const summary = db.dialect === "postgres"
    ? pgSummary("t.result::jsonb")
    : `CASE WHEN json_type(t.result, '$.summary') = 'text'
    THEN json_extract(t.result, '$.summary') END`;
  return `t.id, t.stream_id, s.name AS stream_name, t.tool_name, t.status,
  t.created_at, t.started_at, t.finished_at, t.auto_failed,
  ${summary} AS summary,
  t.error, t.notes, t.requeued_from`;
}

/** `AND t.stream_id IN (…)` when the feed is limited to some streams. */
function scope(db: Db, streamIds: string[] | undefined, param: string): string {
  return streamIds ? `AND t.stream_id IN (${idsIn(db, param)})` : "";
}

/**
 * The tasks that may carry an event at or after `since`, each found through an index:
 * created or started since then, running now, named in `watch` (running at the last
 * look: they may have finished since), or the originals of copies made since then (a
 * task moved out of an ended stream is failed when its copy is made).
 */
export function feedRows(
  db: Db,
  since: string,
  watch: string[],
  streamIds?: string[],
): FeedRow[] {
  return db.all<FeedRow>(
    `SELECT ${feedColumns(db)} FROM tasks t JOIN streams s ON s.id = t.stream_id
     WHERE t.rowid IN (
         SELECT rowid FROM tasks WHERE created_at >= ?1
         UNION ALL SELECT rowid FROM tasks WHERE started_at >= ?1
         UNION ALL SELECT rowid FROM tasks WHERE status = 'running'
         UNION ALL SELECT rowid FROM tasks WHERE id IN (${idsIn(db, "?2")})
         UNION ALL SELECT rowid FROM tasks WHERE id IN (
           SELECT requeued_from FROM tasks WHERE created_at >= ?1 AND requeued_from IS NOT NULL))
       ${scope(db, streamIds, "?3")}`,
    ...(streamIds
      ? [since, JSON.stringify(watch), JSON.stringify(streamIds)]
      : [since, JSON.stringify(watch)]),
  );
}

/**
 * The tasks that carry the latest `n` events of each kind: the newest `n` by
 * created_at, by started_at and by finished_at, and the running ones (their notes).
 * The finished_at part reads the (scoped) table once; it runs when a feed starts.
 */
export function feedLatestRows(db: Db, n: number, streamIds?: string[]): FeedRow[] {
  // PostgreSQL before 16 wants a name for a subquery in FROM; SQLite needs none.
  const alias = db.dialect === "postgres" ? " AS newest" : "";
  const newest = (col: string) =>
    `SELECT rowid FROM (SELECT t.rowid FROM tasks t WHERE t.${col} IS NOT NULL ${
      scope(db, streamIds, "?2")
    } ORDER BY t.${col} DESC LIMIT ?1)${alias}`;
  return db.all<FeedRow>(
    `SELECT ${feedColumns(db)} FROM tasks t JOIN streams s ON s.id = t.stream_id
     WHERE t.rowid IN (
         ${newest("created_at")}
         UNION ALL ${newest("started_at")}
         UNION ALL ${newest("finished_at")}
         UNION ALL SELECT rowid FROM tasks WHERE status = 'running')
       ${scope(db, streamIds, "?2")}`,
    ...(streamIds ? [n, JSON.stringify(streamIds)] : [n]),
  );
}
