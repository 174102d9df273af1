/**
 * The database schema: the seed's four tables and eight indexes, plus three indexes for
 * the FIFO claim and the filtered, newest-first task listings. `SCHEMA_VERSION` is stored in `PRAGMA user_version`.
 */

/** Current schema version (PRAGMA user_version). */
export const SCHEMA_VERSION = 2;

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
];
