/**
 * Schema migration (SPEC §4, §12.1): a version-1 database, as the current release's
 * schema writes it, is brought forward by any command without losing a row; the old
 * auto-fails (recognised by their message in version 1) become `auto_failed`.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS, SCHEMA_VERSION } from "../src/storage/schema.ts";
import { query, tempProject } from "./helpers.ts";

const T0 = "2026-11-30T10:00:00.000Z";
const T1 = "2026-11-30T10:05:00.000Z";
const AUTO =
  "Auto-failed: task exceeded 2x timeout (600s) with no complete/fail reported. Likely worker crash or disconnect.";

/** Writes a version-1 database at `path`: the first migration only, a few rows of each kind. */
function writeVersion1(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      Deno.removeSync(f);
    } catch { /* not there */ }
  }
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec(MIGRATIONS[0]);
  db.prepare("INSERT INTO projects VALUES ('prj_000000000001', 'test', '.', NULL, ?, ?)").run(
    T0,
    T0,
  );
  db.prepare(
    "INSERT INTO sessions VALUES ('ses_000000000001', 'prj_000000000001', 's1', NULL, 'active', ?, NULL, ?, ?)",
  ).run(T0, T0, T0);
  db.prepare(
    "INSERT INTO streams VALUES ('str_000000000001', 'ses_000000000001', 'work', 'Be careful', 'active', ?, ?)",
  ).run(T0, T0);
  const task = db.prepare(
    `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
       result, error, stdout, stderr, created_at, updated_at, started_at, finished_at)
     VALUES (?, 'str_000000000001', 'run-bash', 'MEDIUM_SCRIPT', ?, ?, 300, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  task.run(
    "tsk_000000000001",
    '{"cmd":"a"}',
    "queued",
    0,
    null,
    null,
    null,
    null,
    T0,
    T0,
    null,
    null,
  );
  task.run(
    "tsk_000000000002",
    '{"cmd":"b"}',
    "succeeded",
    1,
    '{"summary":"ok"}',
    null,
    "out",
    "err",
    T0,
    T1,
    T0,
    T1,
  );
  task.run(
    "tsk_000000000003",
    '{"cmd":"c"}',
    "failed",
    1,
    null,
    "broke",
    null,
    "trace",
    T0,
    T1,
    T0,
    T1,
  );
  task.run("tsk_000000000004", '{"cmd":"d"}', "failed", 1, null, AUTO, null, null, T0, T1, T0, T1);
  db.exec("PRAGMA user_version=1");
  db.close();
}

Deno.test("a version-1 database is migrated by any command without losing a row", async () => {
  for (const command of [["tasks", "--json"], ["status", "--json"], ["peek", "--stream", "work"]]) {
    const p = await tempProject();
    try {
      writeVersion1(p.db);
      const before = query(p.db, "SELECT * FROM tasks ORDER BY rowid");
      assert.equal(before.length, 4);
      const r = await p.run(command);
      assert.equal(r.code, 0, `${command.join(" ")}: ${r.stderr}`);
      assert.equal(query(p.db, "PRAGMA user_version")[0].user_version, SCHEMA_VERSION);
      const after = query(p.db, "SELECT * FROM tasks ORDER BY rowid");
      assert.equal(after.length, before.length, "no row lost");
      for (let i = 0; i < before.length; i++) {
        for (const [k, v] of Object.entries(before[i])) assert.equal(after[i][k], v, `${k} kept`);
        assert.equal(after[i].auto_failed, after[i].id === "tsk_000000000004" ? 1 : 0);
        assert.equal(after[i].heartbeat_at, null);
        assert.equal(after[i].notes, null);
        assert.equal(after[i].late_report, null);
        assert.equal(after[i].requeued_from, null);
      }
      for (const t of ["projects", "sessions", "streams"]) {
        assert.equal(query(p.db, `SELECT COUNT(*) AS n FROM ${t}`)[0].n, 1, `${t} kept`);
      }
    } finally {
      await p.cleanup();
    }
  }
  // The migrated database works on: the auto-failed task shows as such and requeues.
  const p = await tempProject();
  try {
    writeVersion1(p.db);
    const t = JSON.parse(await p.ok(["task", "tsk_000000000004", "--json"]));
    assert.equal(t.auto_failed, true);
    assert.equal(t.stream.instructions, "Be careful");
    const old = JSON.parse(await p.ok(["task", "tsk_000000000003", "--json"]));
    assert.equal(old.auto_failed, false);
    assert.equal(old.stderr, "trace");
    const copy = (await p.ok(["requeue", "tsk_000000000004"])).trim();
    assert.equal(
      JSON.parse(await p.ok(["task", copy, "--json"])).requeued_from,
      "tsk_000000000004",
    );
    assert.equal(JSON.parse(await p.ok(["claim", "--stream", "work"])).id, "tsk_000000000001");
  } finally {
    await p.cleanup();
  }
});
