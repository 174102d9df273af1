import type { TaskStatus } from "../core/constants.ts";
import type { Counts, TaskRow } from "../core/schemas.ts";
import { type Db, isSqlite } from "./db.ts";
import {
  DROP_TASK_TRIGGERS,
  REFILL_TASK_DERIVED,
  SEARCH_SYNC_STEPS,
  TASK_TRIGGERS,
} from "./schema.ts";

/** True for a PostgreSQL store, whose SQL differs from SQLite's here and there. */
function onPg(db: Db): boolean {
  return db.dialect === "postgres";
}

/** The tasks a purge deletes: finished (succeeded or failed) before the cutoff parameter. */
const PURGEABLE = "status IN ('succeeded', 'failed') AND COALESCE(finished_at, created_at) < ?";

/** Inserts a task row. */
export function insertTask(db: Db, t: TaskRow): void {
  db.run(
    `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
       result, error, stdout, stderr, created_at, updated_at, started_at, finished_at,
       auto_failed, heartbeat_at, notes, late_report, requeued_from)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    t.id,
    t.stream_id,
    t.tool_name,
    t.task_class,
    t.payload,
    t.status,
    t.timeout,
    t.attempts,
    t.result,
    t.error,
    t.stdout,
    t.stderr,
    t.created_at,
    t.updated_at,
    t.started_at,
    t.finished_at,
    t.auto_failed,
    t.heartbeat_at,
    t.notes,
    t.late_report,
    t.requeued_from,
  );
}

/** The task with this ID, or undefined. */
export function getTask(db: Db, id: string): TaskRow | undefined {
  return db.get<TaskRow>("SELECT * FROM tasks WHERE id = ?", id);
}

/** The oldest queued task of a stream (FIFO: created_at, then insertion order). */
export function peekQueued(db: Db, streamId: string): TaskRow | undefined {
  return db.get<TaskRow>(
    `SELECT * FROM tasks WHERE stream_id = ? AND status = 'queued'
     ORDER BY created_at, rowid LIMIT 1`,
    streamId,
  );
}

/**
 * Claims the oldest queued task of a stream in one statement: sets it running,
 * stamps `started_at` and adds one attempt. Call inside a write transaction.
 *
 * PostgreSQL runs claims beside each other and beside other writers (`write(fn,
 * { concurrent: true })`): the pick locks its row and skips rows another transaction
 * holds (`FOR UPDATE SKIP LOCKED`), so concurrent claims take different tasks without
 * waiting, and it holds a share lock on the stream's row while the stream is active, so
 * a stream being ended waits for the claim (or the claim, for the end, and then finds
 * the stream ended and takes nothing).
 */
export function claimQueued(db: Db, streamId: string, now: string): TaskRow | undefined {
  if (onPg(db)) {
    return db.get<TaskRow>(
      `UPDATE tasks SET status = 'running', started_at = ?1, updated_at = ?1,
         attempts = attempts + 1
       WHERE id = (SELECT t.id FROM tasks t
                   WHERE t.stream_id = ?2 AND t.status = 'queued'
                     AND EXISTS (SELECT 1 FROM streams s WHERE s.id = ?2 AND s.status = 'active'
                                 FOR SHARE)
                   ORDER BY t.created_at, t.rowid LIMIT 1 FOR UPDATE OF t SKIP LOCKED)
         AND status = 'queued'
       RETURNING *`,
      now,
      streamId,
    );
  }
  return db.get<TaskRow>(
    `UPDATE tasks SET status = 'running', started_at = ?, updated_at = ?, attempts = attempts + 1
     WHERE id = (SELECT id FROM tasks WHERE stream_id = ? AND status = 'queued'
                 ORDER BY created_at, rowid LIMIT 1)
       AND status = 'queued'
     RETURNING *`,
    now,
    now,
    streamId,
  );
}

/** The fields a finished task gets. */
export interface Finish {
  status: "succeeded" | "failed";
  result: string | null;
  error: string | null;
  stdout: string | null;
  stderr: string | null;
  now: string;
}

/**
 * Moves a running task to succeeded or failed (a worker's report). Guarded by the
 * state: returns false when the task is not running.
 */
export function finishRunning(db: Db, id: string, f: Finish): boolean {
  return db.run(
    `UPDATE tasks SET status = ?, result = ?, error = ?, stdout = ?, stderr = ?,
       finished_at = ?, updated_at = ?, auto_failed = 0
     WHERE id = ? AND status = 'running'`,
    f.status,
    f.result,
    f.error,
    f.stdout,
    f.stderr,
    f.now,
    f.now,
    id,
  ) === 1;
}

/** A running task the auto-fail sweep fails, as it was read, and the error it gets. */
export interface DeadTask {
  id: string;
  /** The `started_at` it was read with. */
  started_at: string;
  /** The `heartbeat_at` it was read with. */
  heartbeat_at: string | null;
  error: string;
}

/**
 * Fails these running tasks in one statement, marking them `auto_failed` (the auto-fail
 * sweep; which tasks are dead is the engine's rule). Each row is guarded by the state
 * and by the `started_at` and `heartbeat_at` it was read with, so a heartbeat or a
 * report that lands in between keeps its task as it is. Returns the IDs it failed, in
 * the order given. Call inside a write transaction.
 */
export function failDead(db: Db, dead: DeadTask[], now: string): string[] {
  if (dead.length === 0) return [];
  const set = `status = 'failed', result = NULL, error = d.error, stdout = NULL, stderr = NULL,
       finished_at = ?, updated_at = ?, auto_failed = 1`;
  const guard = "tasks.id = d.id AND tasks.status = 'running' AND tasks.started_at = d.started_at";
  const rows = onPg(db)
    ? db.all<{ id: string }>(
      `UPDATE tasks SET ${set}
       FROM json_to_recordset(?::text::json)
         AS d(id TEXT, started_at TEXT, heartbeat_at TEXT, error TEXT)
       WHERE ${guard} AND tasks.heartbeat_at IS NOT DISTINCT FROM d.heartbeat_at
       RETURNING tasks.id`,
      now,
      now,
      JSON.stringify(dead),
    )
    : db.all<{ id: string }>(
      `UPDATE tasks SET ${set}
       FROM (SELECT value ->> 'id' AS id, value ->> 'started_at' AS started_at,
               value ->> 'heartbeat_at' AS heartbeat_at, value ->> 'error' AS error
             FROM json_each(?)) AS d
       WHERE ${guard} AND tasks.heartbeat_at IS d.heartbeat_at
       RETURNING id`,
      now,
      now,
      JSON.stringify(dead),
    );
  const failed = new Set(rows.map((r) => r.id));
  return dead.map((t) => t.id).filter((id) => failed.has(id));
}

/** The minimal view of a running task the stale and auto-fail rules need. */
export interface RunningTask {
  id: string;
  stream_id: string;
  started_at: string;
  heartbeat_at: string | null;
  timeout: number;
}

/**
 * All running tasks (few: one per busy worker) with what their deadlines count from,
 * for the stale and auto-fail rules (engine/timing.ts `deadlines`).
 */
export function listRunning(db: Db, streamId?: string): RunningTask[] {
  const columns = "id, stream_id, started_at, heartbeat_at, timeout";
  return streamId
    ? db.all<RunningTask>(
      `SELECT ${columns} FROM tasks WHERE status = 'running' AND stream_id = ?`,
      streamId,
    )
    : db.all<RunningTask>(`SELECT ${columns} FROM tasks WHERE status = 'running'`);
}

/** A row's place in the newest-first order: its creation time, then its rowid. */
export interface RowKey {
  created_at: string;
  rowid: number;
}

/** What a search looks for (either or both; a row matching either is found). */
export interface TaskSearch {
  /** IDs starting with this text (the primary key's index). */
  idPrefix?: string;
  /** An FTS5 query over summary, error and payload (the `tasks_fts` index). */
  match?: string;
}

/** Filters of `listTasks`. */
export interface TaskFilter {
  status?: TaskStatus;
  streamId?: string;
  /** Restrict to these IDs (used for the stale listing). */
  ids?: string[];
  /** Only rows older than this one (the next page). */
  before?: RowKey;
  /** Only rows newer than this one (the previous page). */
  after?: RowKey;
  /** Only rows a search finds; they are ordered by rowid (insertion), newest first. */
  search?: TaskSearch;
  limit: number;
}

/** The columns before and after stdout/stderr, in the seed's order (JSON keeps it). */
const HEAD_COLUMNS =
  "t.id, t.stream_id, t.tool_name, t.task_class, t.payload, t.status, t.timeout, t.attempts, " +
  "t.result, t.error";
const TAIL_COLUMNS =
  "t.created_at, t.updated_at, t.started_at, t.finished_at, t.auto_failed, t.heartbeat_at, " +
  "t.notes, t.late_report, t.requeued_from";
/** Sizes in bytes of the outputs, read without loading them. */
const OUTPUT_BYTES = "COALESCE(octet_length(t.stdout), 0) AS stdout_bytes, " +
  "COALESCE(octet_length(t.stderr), 0) AS stderr_bytes";
/** A late report without its outputs, carrying their sizes instead (JSON text). */
const LATE_REPORT_BRIEF = `CASE WHEN t.late_report IS NULL THEN NULL ELSE
  json_set(json_remove(t.late_report, '$.stdout', '$.stderr'),
    '$.stdout_bytes', COALESCE(octet_length(json_extract(t.late_report, '$.stdout')), 0),
    '$.stderr_bytes', COALESCE(octet_length(json_extract(t.late_report, '$.stderr')), 0))
  END AS late_report`;
/**
 * PostgreSQL's `LATE_REPORT_BRIEF`: the same keys in the same order (the report's own,
 * then the two sizes), as text (the driver would parse a json value into an object).
 */
const PG_LATE_REPORT_BRIEF = `CASE WHEN t.late_report IS NULL THEN NULL ELSE
  (SELECT json_object_agg(k, v ORDER BY g, n)::text FROM (
     SELECT e.k, e.v, 0 AS g, e.n
     FROM json_each(t.late_report::json) WITH ORDINALITY AS e(k, v, n)
     WHERE e.k NOT IN ('stdout', 'stderr')
     UNION ALL SELECT 'stdout_bytes',
       to_json(COALESCE(octet_length(t.late_report::json ->> 'stdout'), 0)), 1, 1
     UNION ALL SELECT 'stderr_bytes',
       to_json(COALESCE(octet_length(t.late_report::json ->> 'stderr'), 0)), 1, 2) x)
  END AS late_report`;

/** A task row in a listing: outputs left out (unless asked for), their sizes instead. */
export type TaskBriefRow =
  & Omit<TaskRow, "stdout" | "stderr">
  & { stdout?: string | null; stderr?: string | null; stdout_bytes: number; stderr_bytes: number }
  & { stream_name: string; row_key: number };

/**
 * Tasks, newest first (creation time, then rowid; a search's finds by rowid), with their
 * stream's name, their rowid (`row_key`, for page cursors) and the byte sizes of their
 * outputs. Pages are keyset ranges (`before`/`after` a row), never offsets, so every page
 * is an index range whatever its depth. The outputs themselves (and a late report's) are
 * read only with `withOutput`.
 */
export function listTasks(
  db: Db,
  f: TaskFilter & { withOutput?: boolean },
): TaskBriefRow[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (f.status) {
    where.push("t.status = ?");
    params.push(f.status);
  }
  if (f.streamId) {
    where.push("t.stream_id = ?");
    params.push(f.streamId);
  }
  if (f.ids) {
    if (f.ids.length === 0) return [];
    where.push(`t.id IN (${f.ids.map(() => "?").join(", ")})`);
    params.push(...f.ids);
  }
  const tail = f.withOutput
    ? TAIL_COLUMNS
    : TAIL_COLUMNS.replace("t.late_report", onPg(db) ? PG_LATE_REPORT_BRIEF : LATE_REPORT_BRIEF);
  const outputs = f.withOutput ? `t.stdout, t.stderr, ${OUTPUT_BYTES}` : OUTPUT_BYTES;
  const columns = `${HEAD_COLUMNS}, ${outputs}, ${tail}, s.name AS stream_name, t.rowid AS row_key`;
  const older = f.after === undefined;
  const select = (
    from: string,
    extra: string[],
    extraParams: (string | number)[],
    order: string,
  ) => {
    const all = [...extra, ...where];
    const rows = db.all<TaskBriefRow>(
      `SELECT ${columns} FROM ${from} JOIN streams s ON s.id = t.stream_id
       ${all.length ? "WHERE " + all.join(" AND ") : ""}
       ORDER BY ${order} LIMIT ?`,
      ...extraParams,
      ...params,
      f.limit,
    );
    return older ? rows : rows.reverse();
  };
  if (!f.search) {
    const key = f.before ?? f.after;
    const bound = key ? [`(t.created_at, t.rowid) ${older ? "<" : ">"} (?, ?)`] : [];
    const dir = older ? "DESC" : "ASC";
    return select(
      "tasks t",
      bound,
      key ? [key.created_at, key.rowid] : [],
      `t.created_at ${dir}, t.rowid ${dir}`,
    );
  }
  // A search: each part is its own index range in rowid order; the finds are merged.
  const key = f.before ?? f.after;
  const dir = older ? "DESC" : "ASC";
  const cmp = older ? "<" : ">";
  const found: TaskBriefRow[][] = [];
  if (f.search.idPrefix !== undefined) {
    // IDs are random: a prefix of 2+ hex digits (after "tsk_") is a short range of the
    // primary key (about 1 in 256 tasks or fewer) to sort; a shorter one matches so many
    // that walking the table newest first finds a page at once. PostgreSQL compares
    // bytes (COLLATE "C"), which any database collation leaves correct, and its planner
    // picks the path.
    const pk = onPg(db)
      ? "tasks t"
      : f.search.idPrefix.length >= 6
      ? "tasks t INDEXED BY sqlite_autoindex_tasks_1"
      : "tasks t NOT INDEXED";
    const id = onPg(db) ? 't.id COLLATE "C"' : "t.id";
    found.push(select(
      pk,
      [`${id} >= ?`, `${id} < ?`, ...(key ? [`t.rowid ${cmp} ?`] : [])],
      [f.search.idPrefix, f.search.idPrefix + "\uffff", ...(key ? [key.rowid] : [])],
      `t.rowid ${dir}`,
    ));
  }
  if (f.search.match !== undefined && onPg(db)) {
    found.push(select(
      "tasks t",
      [
        "sparkq_search(t.result, t.error, t.payload) @@ to_tsquery('simple', ?)",
        ...(key ? [`t.rowid ${cmp} ?`] : []),
      ],
      [pgTsQuery(f.search.match), ...(key ? [key.rowid] : [])],
      `t.rowid ${dir}`,
    ));
  } else if (f.search.match !== undefined) {
    found.push(select(
      "tasks_fts fts JOIN tasks t ON t.rowid = fts.rowid",
      ["tasks_fts MATCH ?", ...(key ? [`fts.rowid ${cmp} ?`] : [])],
      [f.search.match, ...(key ? [key.rowid] : [])],
      `fts.rowid ${dir}`,
    ));
  }
  if (found.length === 1) return found[0];
  const seen = new Set<number>();
  const merged = found.flat().sort((a, b) => Number(b.row_key) - Number(a.row_key))
    .filter((r) => !seen.has(Number(r.row_key)) && seen.add(Number(r.row_key)) !== undefined);
  return older ? merged.slice(0, f.limit) : merged.slice(-f.limit);
}

/**
 * The PostgreSQL text-search query of an FTS5 query as engine/task_query.ts `searchTerms`
 * writes it: phrases (`"w1 w2"`, `"w1 w2" *` for a prefix last word) separated by spaces,
 * all of which must match. Each phrase becomes its words in a row (`'w1' <-> 'w2':*`);
 * the phrases are joined with `&`.
 */
function pgTsQuery(match: string): string {
  const phrases: string[] = [];
  for (const m of match.matchAll(/"((?:[^"]|"")*)"( \*)?/g)) {
    const words = m[1].replaceAll('""', '"').split(" ").filter((w) => w !== "");
    if (words.length === 0) continue;
    const lexemes = words.map((w) => `'${w.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`);
    if (m[2]) lexemes[lexemes.length - 1] += ":*";
    phrases.push(lexemes.length > 1 ? `(${lexemes.join(" <-> ")})` : lexemes[0]);
  }
  return phrases.join(" & ");
}

/** Whether any task passes the filters (its `before`/`after` bound included). */
export function anyTask(db: Db, f: Omit<TaskFilter, "limit">): boolean {
  return listTasks(db, { ...f, limit: 1 }).length > 0;
}

/**
 * A task row whose outputs are cut to their last `tailBytes` bytes: an output that fits
 * comes back as text in `stdout`/`stderr`; a longer one comes back as the raw bytes of
 * its end in `stdout_tail`/`stderr_tail` (the caller decodes it on a character
 * boundary) with `stdout` null. `stdout_bytes`/`stderr_bytes` are the whole sizes.
 */
export type TaskTailRow = TaskRow & {
  stdout_bytes: number;
  stderr_bytes: number;
  stdout_tail: Uint8Array | null;
  stderr_tail: Uint8Array | null;
};

/** The task with this ID with its outputs cut to their last `tailBytes` bytes. */
export function getTaskTail(db: Db, id: string, tailBytes: number): TaskTailRow | undefined {
  const fits = (col: string) =>
    `CASE WHEN octet_length(t.${col}) <= ${tailBytes} THEN t.${col} END AS ${col}`;
  // The end's bytes: SQLite's blob of the text; on PostgreSQL a UTF-8 bytea (which `PgDb`
  // hands back as bytes) of the last N characters only, which hold the last N bytes.
  const end = (col: string) => {
    if (!onPg(db)) return `substr(CAST(t.${col} AS BLOB), -${tailBytes})`;
    const last = `right(t.${col}, ${tailBytes})`;
    return `substring(convert_to(${last}, 'UTF8') FROM octet_length(${last}) - ${tailBytes - 1})`;
  };
  const tail = (col: string) =>
    `CASE WHEN octet_length(t.${col}) > ${tailBytes}
       THEN ${end(col)} END AS ${col}_tail`;
  return db.get<TaskTailRow>(
    `SELECT ${HEAD_COLUMNS}, ${fits("stdout")}, ${fits("stderr")}, ${TAIL_COLUMNS},
       ${OUTPUT_BYTES}, ${tail("stdout")}, ${tail("stderr")}
     FROM tasks t WHERE t.id = ?`,
    id,
  );
}

/** IDs of the copies requeued from a task, oldest first. */
export function requeuedCopies(db: Db, id: string): string[] {
  return db.all<{ id: string }>(
    "SELECT id FROM tasks WHERE requeued_from = ? ORDER BY created_at, rowid",
    id,
  ).map((r) => r.id);
}

/**
 * Records a heartbeat of a running task: sets `heartbeat_at` and, when `notes` is given,
 * replaces the progress log with it. Guarded by the state: undefined when the task is
 * not running. Call inside a write transaction.
 */
export function heartbeatRunning(
  db: Db,
  id: string,
  now: string,
  notes: string | null,
): TaskRow | undefined {
  return db.get<TaskRow>(
    `UPDATE tasks SET heartbeat_at = ?, updated_at = ?, notes = COALESCE(${
      onPg(db) ? "?::text" : "?"
    }, notes)
     WHERE id = ? AND status = 'running' RETURNING *`,
    now,
    now,
    notes,
    id,
  );
}

/**
 * Keeps a report that came after a task was auto-failed (JSON text), unless one is kept
 * already; the task stays failed. Returns false when nothing was stored.
 */
export function keepLateReport(db: Db, id: string, report: string, now: string): boolean {
  return db.run(
    `UPDATE tasks SET late_report = ?, updated_at = ?
     WHERE id = ? AND status = 'failed' AND late_report IS NULL`,
    report,
    now,
    id,
  ) === 1;
}

/**
 * Fails a queued task that is being moved to another stream (its stream was ended).
 * Guarded by the state: false when it is no longer queued.
 */
export function failQueued(db: Db, id: string, error: string, now: string): boolean {
  return db.run(
    `UPDATE tasks SET status = 'failed', error = ?, finished_at = ?, updated_at = ?
     WHERE id = ? AND status = 'queued'`,
    error,
    now,
    now,
    id,
  ) === 1;
}

/** How many queued tasks the streams of a session hold. */
export function countQueuedInSession(db: Db, sessionId: string): number {
  return Number(
    db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM tasks t JOIN streams s ON s.id = t.stream_id
       WHERE s.session_id = ? AND t.status = 'queued'`,
      sessionId,
    )!.n,
  );
}

/** How many queued tasks a stream holds. */
export function countQueued(db: Db, streamId: string): number {
  return Number(
    db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM tasks WHERE stream_id = ? AND status = 'queued'",
      streamId,
    )!.n,
  );
}

/**
 * Number of tasks per stream and state (stale is left 0 for the engine to fill), read
 * from `task_counts`, which triggers keep in step with `tasks` (no scan of the tasks).
 */
export function countByStream(db: Db): Map<string, Counts> {
  const out = new Map<string, Counts>();
  const rows = db.all<{ stream_id: string; status: TaskStatus; n: number }>(
    "SELECT stream_id, status, n FROM task_counts WHERE n > 0",
  );
  for (const r of rows) {
    let c = out.get(r.stream_id);
    if (!c) {
      c = { queued: 0, running: 0, stale: 0, succeeded: 0, failed: 0 };
      out.set(r.stream_id, c);
    }
    c[r.status] = Number(r.n);
  }
  return out;
}

/** Streams that have queued tasks, with how many (for `claim` without `--stream`). */
export function queuedPerStream(db: Db): { name: string; queued: number }[] {
  return db.all<{ name: string; queued: number }>(
    `SELECT s.name AS name, COUNT(*) AS queued FROM tasks t JOIN streams s ON s.id = t.stream_id
     WHERE t.status = 'queued' AND s.status = 'active' GROUP BY s.id ORDER BY s.name`,
  );
}

/**
 * Deletes up to `batch` succeeded or failed tasks that finished before `cutoff`;
 * returns how many. Queued and running tasks are never touched.
 */
export function deleteFinishedBefore(db: Db, cutoff: string, batch: number): number {
  return db.run(
    `DELETE FROM tasks WHERE rowid IN (SELECT rowid FROM tasks WHERE ${PURGEABLE} LIMIT ?)`,
    cutoff,
    batch,
  );
}

/** All tasks, and how many of them a purge with this cutoff would delete. */
export function countPurgeable(db: Db, cutoff: string): { total: number; purgeable: number } {
  const r = db.get<{ total: number; purgeable: number }>(
    `SELECT (SELECT COUNT(*) FROM tasks) AS total,
            (SELECT COUNT(*) FROM tasks WHERE ${PURGEABLE}) AS purgeable`,
    cutoff,
  )!;
  return { total: Number(r.total), purgeable: Number(r.purgeable) };
}

/**
 * Purges by keeping: copies the tasks that stay aside (in their order), empties the
 * table with SQLite's truncate optimization, and puts them back in the same order, so
 * FIFO order and every field are unchanged (the rowids are renumbered; the search index
 * and the counts are rebuilt from the rows kept). Far faster than deleting row by row when
 * most rows go. Call inside a write transaction on a connection whose foreign-key
 * enforcement is off (it disables the truncate optimization; the rows put back are the
 * same rows, so no reference can break). Returns how many tasks were deleted.
 */
export function purgeByKeeping(db: Db, cutoff: string): number {
  if (!isSqlite(db)) throw new Error("purgeByKeeping needs SQLite (see canPurgeByKeeping)");
  const before = Number(db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tasks")!.n);
  db.raw.prepare(
    `CREATE TEMP TABLE purge_keep AS SELECT * FROM tasks WHERE NOT (${PURGEABLE}) ORDER BY rowid`,
  ).run(cutoff);
  // The triggers are dropped for the rewrite (they would disable the truncation and
  // update the search index and counts row by row); both are refilled from the survivors.
  db.raw.exec(
    DROP_TASK_TRIGGERS +
      "DELETE FROM tasks; INSERT INTO tasks SELECT * FROM purge_keep ORDER BY rowid; DROP TABLE purge_keep;" +
      REFILL_TASK_DERIVED + TASK_TRIGGERS,
  );
  return before - Number(db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tasks")!.n);
}

/**
 * Whether `purgeByKeeping` applies: SQLite only (its truncate optimization is what makes
 * the rewrite fast); PostgreSQL purges in batches.
 */
export function canPurgeByKeeping(db: Db): boolean {
  return isSqlite(db);
}

/** The fields a copy of a task takes from it. */
export type CopySource = Pick<
  TaskRow,
  "id" | "tool_name" | "task_class" | "payload" | "timeout"
>;

/**
 * A stream's failed tasks that have no copy yet (no task has them as `requeued_from`),
 * oldest first: what a bulk requeue copies.
 */
export function failedWithoutCopy(db: Db, streamId: string): CopySource[] {
  return db.all<CopySource>(
    `SELECT t.id, t.tool_name, t.task_class, t.payload, t.timeout FROM tasks t
     WHERE t.stream_id = ? AND t.status = 'failed'
       AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.requeued_from = t.id)
     ORDER BY t.created_at, t.rowid`,
    streamId,
  );
}

/** How many of a stream's failed tasks have no copy yet, and how many already have one. */
export function countFailedCopies(db: Db, streamId: string): { fresh: number; copied: number } {
  const exists = "EXISTS (SELECT 1 FROM tasks c WHERE c.requeued_from = t.id)";
  const r = db.get<{ fresh: number; copied: number }>(
    `SELECT COUNT(*) - COALESCE(SUM(x.copied), 0) AS fresh, COALESCE(SUM(x.copied), 0) AS copied
     FROM (SELECT ${onPg(db) ? `CASE WHEN ${exists} THEN 1 ELSE 0 END` : exists} AS copied
           FROM tasks t WHERE t.stream_id = ? AND t.status = 'failed') x`,
    streamId,
  )!;
  return { fresh: Number(r.fresh), copied: Number(r.copied) };
}

/**
 * True when some task's search entry is out of date (a cheap read, no lock). Never on
 * PostgreSQL, whose search index is kept current by every write.
 */
export function searchBehind(db: Db): boolean {
  if (onPg(db)) return false;
  return db.get("SELECT 1 AS x FROM tasks_fts_pending LIMIT 1") !== undefined;
}

/**
 * Brings the search entries of up to `batch` out-of-date tasks up to date (one FTS5
 * segment for the lot); returns how many (0 on PostgreSQL: nothing is ever behind).
 * Call inside a write transaction.
 */
export function syncSearchIndex(db: Db, batch: number): number {
  if (onPg(db)) return 0;
  const [drop, add, done] = SEARCH_SYNC_STEPS;
  db.run(drop, batch);
  db.run(add, batch);
  return db.run(done, batch);
}
