/**
 * The PostgreSQL schema: the same tables and columns as SQLite's version 3
 * (../schema.ts), with PostgreSQL's means where SQLite's differ. Versioned on its own
 * in `sparkq_meta` (`schema_version`), which also names the application, so a database
 * of another program is recognised and refused.
 *
 * - `rowid` (tasks, sessions, streams): SQLite's implicit insertion order, made an
 *   identity column (the FIFO tie-break, listing order and page cursors use it; `PgDb`
 *   drops it from result rows, as SQLite's `SELECT *` has none).
 * - Search: a GIN index over `sparkq_search(result, error, payload)` replaces FTS5 and
 *   its pending table; PostgreSQL keeps the index current on every write.
 * - `task_counts`: the same per-stream counts, kept by statement triggers over their
 *   transition tables: one upsert per (stream, state) a statement touches, however many
 *   rows (a row trigger updated the same counts row once per row, and PostgreSQL slows
 *   down with every update of one row within a transaction: a bulk write went quadratic).
 * - Change notices: a statement trigger on every table does `pg_notify('sparkq_changes')`
 *   (sent at commit, once per transaction), which wakes watchers, `wait`, SSE and the MCP
 *   claim on every machine, and advances the sequence `sparkq_changes` (no lock, no
 *   rollback), which the change marker reads: a look that finds it moved sees a change
 *   even when its notice was lost (a dropped LISTEN connection).
 */

/** Current PostgreSQL schema version (`sparkq_meta.schema_version`). */
export const PG_SCHEMA_VERSION = 1;

/** The name `sparkq_meta.application` holds. */
export const APPLICATION = "sparkq";

const NOTIFY_ON = ["projects", "sessions", "streams", "tasks"];

/** Migrations: index i brings a database from version i to i + 1 (0: empty). */
export const PG_MIGRATIONS: readonly string[] = [
  `
CREATE TABLE IF NOT EXISTS sparkq_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO sparkq_meta (key, value) VALUES ('application', '${APPLICATION}')
  ON CONFLICT (key) DO NOTHING;
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    repo_path TEXT,
    prd_path TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
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
    rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    name TEXT NOT NULL UNIQUE,
    instructions TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
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
    finished_at TEXT,
    auto_failed INTEGER NOT NULL DEFAULT 0,
    heartbeat_at TEXT,
    notes TEXT,
    late_report TEXT,
    requeued_from TEXT
);
CREATE INDEX IF NOT EXISTS idx_tasks_stream_status ON tasks(stream_id, status);
CREATE INDEX IF NOT EXISTS idx_tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS idx_tasks_started_at ON tasks(started_at);
CREATE INDEX IF NOT EXISTS idx_tasks_created_at ON tasks(created_at);
CREATE INDEX IF NOT EXISTS idx_streams_session ON streams(session_id);
CREATE INDEX IF NOT EXISTS idx_streams_status ON streams(status);
CREATE INDEX IF NOT EXISTS idx_sessions_project ON sessions(project_id);
CREATE INDEX IF NOT EXISTS idx_sessions_status ON sessions(status);
CREATE INDEX IF NOT EXISTS idx_tasks_claim ON tasks(stream_id, status, created_at, rowid);
CREATE INDEX IF NOT EXISTS idx_tasks_stream_created ON tasks(stream_id, created_at, rowid);
CREATE INDEX IF NOT EXISTS idx_tasks_status_created ON tasks(status, created_at, rowid);
CREATE INDEX IF NOT EXISTS idx_tasks_created_rowid ON tasks(created_at, rowid);
CREATE INDEX IF NOT EXISTS idx_tasks_id_bytes ON tasks((id COLLATE "C"));
CREATE INDEX IF NOT EXISTS idx_tasks_requeued_from ON tasks(requeued_from)
  WHERE requeued_from IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_tasks_finished
  ON tasks(finished_at, status, auto_failed, tool_name, started_at) WHERE finished_at IS NOT NULL;

CREATE OR REPLACE FUNCTION sparkq_summary(result TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN CASE WHEN jsonb_typeof(result::jsonb -> 'summary') = 'string'
    THEN result::jsonb ->> 'summary' END;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$f$;
CREATE OR REPLACE FUNCTION sparkq_search(result TEXT, error TEXT, payload TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $f$
  SELECT to_tsvector('simple'::regconfig, regexp_replace(
    coalesce(sparkq_summary(result), '') || ' ' || coalesce(error, '') || ' ' ||
    coalesce(payload, ''), '[[:punct:][:space:]]+', ' ', 'g'))
$f$;
CREATE INDEX IF NOT EXISTS idx_tasks_search ON tasks
  USING gin (sparkq_search(result, error, payload));

CREATE TABLE IF NOT EXISTS task_counts (
    stream_id TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (stream_id, status)
);
INSERT INTO task_counts (stream_id, status, n)
  SELECT stream_id, status, COUNT(*) FROM tasks GROUP BY stream_id, status
  ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION sparkq_counts_insert() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO task_counts (stream_id, status, n)
    SELECT stream_id, status, COUNT(*) FROM new_rows GROUP BY stream_id, status
    ORDER BY stream_id, status
    ON CONFLICT (stream_id, status) DO UPDATE SET n = task_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$f$;
CREATE OR REPLACE FUNCTION sparkq_counts_delete() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE task_counts c SET n = c.n - d.k
    FROM (SELECT stream_id, status, COUNT(*) AS k FROM old_rows GROUP BY stream_id, status) d
    WHERE c.stream_id = d.stream_id AND c.status = d.status;
  RETURN NULL;
END
$f$;
CREATE OR REPLACE FUNCTION sparkq_counts_update() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE task_counts c SET n = c.n - d.k
    FROM (SELECT o.stream_id, o.status, COUNT(*) AS k
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.status IS DISTINCT FROM n.status OR o.stream_id IS DISTINCT FROM n.stream_id
          GROUP BY o.stream_id, o.status) d
    WHERE c.stream_id = d.stream_id AND c.status = d.status;
  INSERT INTO task_counts (stream_id, status, n)
    SELECT n.stream_id, n.status, COUNT(*)
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.status IS DISTINCT FROM n.status OR o.stream_id IS DISTINCT FROM n.stream_id
    GROUP BY n.stream_id, n.status ORDER BY n.stream_id, n.status
    ON CONFLICT (stream_id, status) DO UPDATE SET n = task_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$f$;
DROP TRIGGER IF EXISTS tasks_counts_insert ON tasks;
CREATE TRIGGER tasks_counts_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sparkq_counts_insert();
DROP TRIGGER IF EXISTS tasks_counts_delete ON tasks;
CREATE TRIGGER tasks_counts_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sparkq_counts_delete();
DROP TRIGGER IF EXISTS tasks_counts_update ON tasks;
CREATE TRIGGER tasks_counts_update AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sparkq_counts_update();

CREATE SEQUENCE IF NOT EXISTS sparkq_changes;
CREATE OR REPLACE FUNCTION sparkq_notify() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM nextval('sparkq_changes');
  PERFORM pg_notify('sparkq_changes', '');
  RETURN NULL;
END
$f$;
${
    NOTIFY_ON.map((t) =>
      `DROP TRIGGER IF EXISTS ${t}_notify ON ${t};
CREATE TRIGGER ${t}_notify AFTER INSERT OR UPDATE OR DELETE ON ${t}
  FOR EACH STATEMENT EXECUTE FUNCTION sparkq_notify();`
    ).join("\n")
  }
`,
];
