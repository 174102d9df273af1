/**
 * The database schema: the seed's four tables and eight indexes, plus three indexes for
 * the FIFO claim and the filtered, newest-first task listings; version 3 adds the search
 * index, the per-stream counts and the finished-at index the web UI needs at a million
 * tasks. `SCHEMA_VERSION` is stored in `PRAGMA user_version`.
 */

/** Current schema version (PRAGMA user_version). */
export const SCHEMA_VERSION = 3;

/** The summary a task's search entry holds: its result's `summary`, when the result is JSON. */
function searchSummary(result: string): string {
  return `CASE WHEN json_valid(${result}) THEN json_extract(${result}, '$.summary') END`;
}

/** Adds one to the count of a row's stream and state (`new` in a trigger). */
const COUNT_UP =
  `INSERT INTO task_counts (stream_id, status, n) VALUES (new.stream_id, new.status, 1)
    ON CONFLICT (stream_id, status) DO UPDATE SET n = n + 1;`;
/** Takes one from the count of a row's stream and state (`old` in a trigger). */
const COUNT_DOWN =
  "UPDATE task_counts SET n = n - 1 WHERE stream_id = old.stream_id AND status = old.status;";
/** Marks a row's search entry as out of date (`new` or `old` in a trigger). */
const STALE_ENTRY = (r: string) =>
  `INSERT OR IGNORE INTO tasks_fts_pending (task_rowid) VALUES (${r}.rowid);`;

/**
 * The triggers that keep the counts per stream and state (`task_counts`) in step with
 * `tasks`, take a deleted task out of the search index, and note in `tasks_fts_pending`
 * every new or changed task whose search entry (summary, error, payload) is out of date.
 * Those are indexed in batches (`SEARCH_SYNC_STEPS`), before a search and by the server
 * every few seconds: FTS5 writes a segment per transaction, and indexing in the trigger
 * cost every enqueue and report about a third of its speed (deletions stay immediate, so
 * a purge leaves no backlog). A bulk rewrite of the table (purge by keeping) drops the triggers with
 * `DROP_TASK_TRIGGERS`, refills both tables with `REFILL_TASK_DERIVED` and creates them
 * again with this text.
 */
export const TASK_TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS tasks_derived_insert AFTER INSERT ON tasks BEGIN
  ${STALE_ENTRY("new")}
  ${COUNT_UP}
END;
CREATE TRIGGER IF NOT EXISTS tasks_derived_delete AFTER DELETE ON tasks BEGIN
  DELETE FROM tasks_fts WHERE rowid = old.rowid;
  DELETE FROM tasks_fts_pending WHERE task_rowid = old.rowid;
  ${COUNT_DOWN}
END;
CREATE TRIGGER IF NOT EXISTS tasks_search_update AFTER UPDATE OF result, error, payload ON tasks
BEGIN
  ${STALE_ENTRY("new")}
END;
CREATE TRIGGER IF NOT EXISTS tasks_count_update AFTER UPDATE OF status, stream_id ON tasks
  WHEN old.status IS NOT new.status OR old.stream_id IS NOT new.stream_id
BEGIN
  ${COUNT_DOWN}
  ${COUNT_UP}
END;
`;

/** The oldest `?` out-of-date rows (parameter: the batch size). */
const PENDING_BATCH = "SELECT task_rowid FROM tasks_fts_pending ORDER BY task_rowid LIMIT ?";

/**
 * One batch of the search index's catching up, three statements each taking the batch
 * size: the old entries of the out-of-date rows go, the rows that still exist are indexed
 * as they are now, and they are no longer out of date. Run them in one write transaction.
 */
export const SEARCH_SYNC_STEPS: readonly string[] = [
  `DELETE FROM tasks_fts WHERE rowid IN (${PENDING_BATCH})`,
  `INSERT INTO tasks_fts (rowid, summary, error, payload)
     SELECT t.rowid, ${searchSummary("t.result")}, t.error, t.payload
     FROM tasks t WHERE t.rowid IN (${PENDING_BATCH})`,
  `DELETE FROM tasks_fts_pending WHERE task_rowid IN (${PENDING_BATCH})`,
];

/** Drops the triggers of `TASK_TRIGGERS`. */
export const DROP_TASK_TRIGGERS = `
DROP TRIGGER IF EXISTS tasks_derived_insert;
DROP TRIGGER IF EXISTS tasks_derived_delete;
DROP TRIGGER IF EXISTS tasks_search_update;
DROP TRIGGER IF EXISTS tasks_count_update;
`;

/** Rebuilds the search index and the counts from the rows of `tasks`. */
export const REFILL_TASK_DERIVED = `
DELETE FROM tasks_fts_pending;
INSERT INTO tasks_fts (tasks_fts) VALUES ('delete-all');
INSERT INTO tasks_fts (rowid, summary, error, payload)
  SELECT rowid, ${searchSummary("result")}, error, payload FROM tasks;
DELETE FROM task_counts;
INSERT INTO task_counts (stream_id, status, n)
  SELECT stream_id, status, COUNT(*) FROM tasks GROUP BY stream_id, status;
`;

/** Migrations: index i brings a database from user_version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    repo_path TEXT,
    prd_path TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS streams (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    name TEXT NOT NULL UNIQUE,
    instructions TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    stream_id TEXT NOT NULL REFERENCES streams(id),
    tool_name TEXT NOT NULL,
    task_class TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    timeout INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    stdout TEXT,
    stderr TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_tasks_stream_status ON tasks(stream_id, status);
CREATE INDEX IF NOT EXISTS idx_tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS idx_tasks_started_at ON tasks(started_at);
CREATE INDEX IF NOT EXISTS idx_tasks_created_at ON tasks(created_at);
CREATE INDEX IF NOT EXISTS idx_streams_session ON streams(session_id);
CREATE INDEX IF NOT EXISTS idx_streams_status ON streams(status);
CREATE INDEX IF NOT EXISTS idx_sessions_project ON sessions(project_id);
CREATE INDEX IF NOT EXISTS idx_sessions_status ON sessions(status);
CREATE INDEX IF NOT EXISTS idx_tasks_stream_status_created ON tasks(stream_id, status, created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_stream_created ON tasks(stream_id, created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_status_created ON tasks(status, created_at);
`,
  // 1 -> 2 (version 2, SPEC §12): the worker contract's columns. auto_failed is the
  // outcome as data (version 1 recognised it by its message, so this once does too);
  // notes and late_report hold JSON text; requeued_from links a copy to its original.
  `
ALTER TABLE tasks ADD COLUMN auto_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN heartbeat_at TEXT;
ALTER TABLE tasks ADD COLUMN notes TEXT;
ALTER TABLE tasks ADD COLUMN late_report TEXT;
ALTER TABLE tasks ADD COLUMN requeued_from TEXT;
UPDATE tasks SET auto_failed = 1 WHERE status = 'failed' AND error LIKE 'Auto-failed:%';
CREATE INDEX IF NOT EXISTS idx_tasks_requeued_from ON tasks(requeued_from)
  WHERE requeued_from IS NOT NULL;
`,
  // 2 -> 3 (SPEC §12.3, the web UI at a million tasks): the search index, the counts
  // per stream and state, and an index for the charts' finished-at ranges. The first two
  // are filled from the existing rows here; from then on the triggers keep the counts
  // and list the rows whose search entry is out of date (see TASK_TRIGGERS).
  `
CREATE VIRTUAL TABLE IF NOT EXISTS tasks_fts USING fts5(
  summary, error, payload, content = '', contentless_delete = 1
);
INSERT INTO tasks_fts (rowid, summary, error, payload)
  SELECT rowid, ${searchSummary("result")}, error, payload FROM tasks;
CREATE TABLE IF NOT EXISTS tasks_fts_pending (task_rowid INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS task_counts (
    stream_id TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (stream_id, status)
) WITHOUT ROWID;
INSERT INTO task_counts (stream_id, status, n)
  SELECT stream_id, status, COUNT(*) FROM tasks GROUP BY stream_id, status;
CREATE INDEX IF NOT EXISTS idx_tasks_finished ON tasks(finished_at, status, auto_failed, tool_name, started_at)
  WHERE finished_at IS NOT NULL;
${TASK_TRIGGERS}
`,
];
