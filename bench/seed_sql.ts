/**
 * SQL shared by the benches that seed big databases directly (bench/large_db.ts,
 * bench/ui_scale.ts): fast inserts with SQLite's recursive CTEs, bypassing the engine.
 */
import type { DatabaseSync } from "node:sqlite";

/** SQL for an ISO timestamp (`…Z`) from a Unix-seconds expression. */
export function sqlStamp(expr: string): string {
  return `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr}, 'unixepoch')`;
}

/** Makes the temp table `ks(k, id, name)`: the streams numbered from 0 in name order. */
export function numberStreams(db: DatabaseSync): void {
  db.exec(
    "CREATE TEMP TABLE ks AS SELECT row_number() OVER (ORDER BY name) - 1 AS k, id, name FROM streams",
  );
}

/** Inserts `count` queued run-bash tasks in stream X, one a second from `t0` (Unix s). */
export function insertQueuedInX(db: DatabaseSync, count: number, t0: number): void {
  db.prepare(
    `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :q - 1)
     INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
       created_at, updated_at)
     SELECT 'tsk_' || lower(hex(randomblob(6))), (SELECT id FROM ks WHERE name = 'X'), 'run-bash',
       'MEDIUM_SCRIPT', '{"cmd":"make ' || i || '"}', 'queued', 300, 0,
       ${sqlStamp(":t0 + i")}, ${sqlStamp(":t0 + i")}
     FROM seq`,
  ).run({ q: count, t0 });
}
