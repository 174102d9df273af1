/**
 * `sparkq db copy --to URL` and `--from URL` (SPEC §12.5): a real SQLite project with
 * sessions, streams and tasks in every state (notes, a late report, a requeued copy,
 * outputs of megabytes, FIFO ties) copied into a fresh PostgreSQL database and back,
 * every row compared, the CLI run on the copy; and every refusal, each leaving both
 * stores as they were. Needs a PostgreSQL server (`SPARKQ_TEST_PG`, see
 * tests/support/backend.ts); without one the tests are registered ignored.
 */
import * as assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  assertRefused,
  dumpDb,
  exec,
  freePort,
  freshLauncher,
  query,
  type TempProject,
  tempProject,
} from "./helpers.ts";
import { freshDatabase, PG_ADMIN_URL, pgExec, pgQuery } from "./support/backend.ts";
import { sparkqOnTerminal, spawnSparkq } from "./support/process.ts";

const ignore = PG_ADMIN_URL === undefined;
const TABLES = ["projects", "sessions", "streams", "tasks"] as const;
/** Bulk tasks: more than one batch of 500 rows. */
const BULK = 1_234;
/** Tasks with outputs of 3 MB each: more than one batch of 8 MiB. */
const BIG = 5;

/**
 * Every row of every table of a store, in ID order, every column, and the rowids:
 * what must be equal on both sides of a copy.
 */
function rows(store: string): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const pg = store.startsWith("postgres");
  for (const t of TABLES) {
    const key = t === "projects" ? "" : "rowid AS row_key, "; // kept by both stores
    const rs = query(store, `SELECT ${key}* FROM ${t} ORDER BY id${pg ? ' COLLATE "C"' : ""}`);
    out[t] = rs.map((r) => ({
      ...r,
      row_key: r.row_key === undefined ? undefined : Number(r.row_key),
    }));
  }
  return out;
}

/** The per-stream counts a store keeps, zeros left out, sorted. */
function counts(store: string): string {
  return query(store, "SELECT stream_id, status, n FROM task_counts WHERE n <> 0")
    .map((r) => `${r.stream_id}/${r.status}=${Number(r.n)}`).sort().join(" ");
}

/** The counts its task rows give. */
function trueCounts(store: string): string {
  return query(store, "SELECT stream_id, status, COUNT(*) AS n FROM tasks GROUP BY 1, 2")
    .map((r) => `${r.stream_id}/${r.status}=${Number(r.n)}`).sort().join(" ");
}

/**
 * A project whose tasks are in every state, made through the CLI, then bulk rows and big
 * outputs added with SQL (thousands of CLI calls would take minutes).
 */
async function richProject(
  launcher?: string,
): Promise<{ p: TempProject; ids: Record<string, string> }> {
  const p = await tempProject([], { launcher });
  const id = async (args: string[]) => (await p.ok(args)).trim();
  await p.ok(["session", "create", "s1", "-d", "first"]);
  await p.ok(["session", "create", "s2"]);
  await p.ok(["stream", "create", "a", "--session", "s1", "-i", "do the a things"]);
  await p.ok(["stream", "create", "b", "--session", "s1"]);
  await p.ok(["stream", "create", "c", "--session", "s2"]);
  const ids: Record<string, string> = {};
  ids.done = await id(["enqueue", "run-bash", '{"command": "echo done"}', "--stream", "a"]);
  await p.ok(["claim", "a"]);
  await Deno.writeTextFile(`${p.dir}/out.txt`, "line\n".repeat(60_000) + "ünïcödé ✓\n");
  await p.ok([
    "complete",
    ids.done,
    "--summary",
    "zebraword finished",
    "--stdout-file",
    "out.txt",
    "--stderr",
    "warn",
  ]);
  ids.failed = await id(["enqueue", "run-bash", '{"command": "false"}', "--stream", "a"]);
  await p.ok(["claim", "a"]);
  await p.ok(["fail", ids.failed, "--error", "kaput broke", "--result", '{"exit": 1}']);
  ids.running = await id(["enqueue", "llm-haiku", '{"prompt": "hi"}', "--stream", "a"]);
  await p.ok(["claim", "a"]);
  await p.ok(["heartbeat", ids.running, "-m", "half way"]);
  await p.ok(["heartbeat", ids.running, "-m", "nearly"]);
  ids.copy = await id(["requeue", ids.failed]);
  ids.late = await id([
    "enqueue",
    "run-bash",
    '{"command": "sleep 9"}',
    "--stream",
    "c",
    "-t",
    "1",
  ]);
  await p.ok(["claim", "c"]);
  p.exec("UPDATE tasks SET started_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", ids.late);
  await p.ok(["tasks"]); // auto-fails it
  const late = await p.run(["complete", ids.late, "--summary", "too late"]);
  assert.notEqual(late.code, 0, late.stderr);
  // FIFO ties in stream b: three tasks with one created_at, the rowid decides.
  for (const n of [1, 2, 3]) {
    ids[`tie${n}`] = await id(["enqueue", "run-bash", `{"n": ${n}}`, "--stream", "b"]);
  }
  p.exec(
    "UPDATE tasks SET created_at = '2021-06-01T00:00:00.000Z' WHERE id IN (?, ?, ?)",
    ids.tie1,
    ids.tie2,
    ids.tie3,
  );
  await p.ok(["stream", "end", "c"]);
  await p.ok(["session", "end", "s2"]);
  const db = new DatabaseSync(p.db);
  try {
    const stream = (name: string) =>
      String((db.prepare("SELECT id FROM streams WHERE name = ?").get(name) as { id: string }).id);
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout,
                          created_at, updated_at)
       SELECT printf('tsk_bulk%06d', i), ?, 'run-bash', 'MEDIUM_SCRIPT',
              json_object('i', i, 'word', 'bulkword'), 'queued', 300,
              printf('2022-01-01T00:00:%02d.000Z', i % 60), '2022-01-01T00:00:00.000Z'
       FROM n`,
    ).run(BULK, stream("b"));
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout,
                          result, stdout, created_at, updated_at, started_at, finished_at)
       SELECT printf('tsk_big%03d', i), ?, 'run-bash', 'MEDIUM_SCRIPT', '{}', 'succeeded', 300,
              '{"summary":"big"}', replace(hex(zeroblob(1500000)), '00', 'xy'),
              '2023-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z',
              '2023-01-01T00:00:00.000Z', '2023-01-01T00:00:01.000Z'
       FROM n`,
    ).run(BIG, stream("a"));
  } finally {
    db.close();
  }
  return { p, ids };
}

Deno.test({
  name:
    "db copy --to a fresh PostgreSQL database and --from back: every row, every column, the same queue",
  ignore,
  async fn() {
    const { p, ids } = await richProject();
    const pg = freshDatabase();
    const back = await tempProject();
    try {
      const total = Number(query(p.db, "SELECT COUNT(*) AS n FROM tasks")[0].n);
      // The source has every state and every optional field filled somewhere.
      const one = (id: string) => query(p.db, "SELECT * FROM tasks WHERE id = ?", id)[0];
      assert.deepEqual(
        query(p.db, "SELECT DISTINCT status FROM tasks ORDER BY 1").map((r) => r.status),
        ["failed", "queued", "running", "succeeded"],
      );
      assert.match(String(one(ids.running).notes), /half way[\s\S]*nearly/);
      assert.equal(one(ids.late).auto_failed, 1);
      assert.match(String(one(ids.late).late_report), /too late/);
      assert.equal(one(ids.copy).requeued_from, ids.failed);
      assert.ok(String(one(ids.done).stdout).length > 300_000);
      const out = await p.ok(["db", "copy", "--to", pg.url]);
      assert.match(out, new RegExp(`Copied the SQLite file ${p.db} into the PostgreSQL database`));
      assert.match(out, new RegExp(`tasks +${total.toLocaleString("en-US")}\\n`));
      assert.match(out, /sessions +2\n/);
      assert.match(out, /Verified: every column of every row/);
      assert.match(out, new RegExp(`sparkq setup --database-url ${pg.url.replaceAll(".", "\\.")}`));
      // sparkq.yml still names the SQLite file.
      assert.doesNotMatch(await Deno.readTextFile(`${p.dir}/sparkq.yml`), /postgres:/);

      // The rows, column for column, and the task rowids (FIFO ties, page cursors).
      assert.deepEqual(rows(pg.url), rows(p.db));
      assert.ok(rows(p.db).tasks.length === total && total > BULK + BIG);
      assert.equal(counts(pg.url), trueCounts(p.db));
      // The next task queued on PostgreSQL sorts after every copied one.
      const maxRowid = Number(query(p.db, "SELECT MAX(rowid) AS m FROM tasks")[0].m);
      const on = { env: { SPARKQ_DATABASE_URL: pg.url } };
      const fresh = (await p.ok(["enqueue", "run-bash", "{}", "--stream", "a"], on)).trim();
      assert.ok(
        Number(pgQuery(pg.url, "SELECT rowid AS k FROM tasks WHERE id = ?", fresh)[0].k) > maxRowid,
      );
      // So do a new session and stream (their rowids too).
      await p.ok(["session", "create", "s3"], on);
      await p.ok(["stream", "create", "d", "--session", "s3"], on);
      const names = async (args: string[]) =>
        JSON.parse(await p.ok([...args, "--json"], on)).map((r: { name: string }) => r.name);
      assert.deepEqual(await names(["session", "list"]), ["s1", "s2", "s3"]);
      assert.deepEqual(await names(["stream", "list"]), ["a", "b", "c", "d"]);
      pgExec(pg.url, "DELETE FROM streams WHERE name = 'd'");
      pgExec(pg.url, "DELETE FROM sessions WHERE name = 's3'");
      // … and the counts trigger, off during the load, is on again.
      assert.equal(counts(pg.url), trueCounts(pg.url));
      assert.notEqual(counts(pg.url), trueCounts(p.db));
      pgExec(pg.url, "DELETE FROM tasks WHERE id = ?", fresh);
      assert.equal(counts(pg.url), trueCounts(p.db));
      // PostgreSQL's search index finds the copied words.
      const found = pgQuery(
        pg.url,
        "SELECT id FROM tasks WHERE sparkq_search(result, error, payload) @@ plainto_tsquery('simple', ?)",
        "zebraword",
      ).map((r) => r.id);
      assert.deepEqual(found, [ids.done]);

      // The CLI reads the same queue from either store.
      for (
        const args of [
          ["session", "list", "--json"],
          ["stream", "list", "--json"],
          ["tasks", "--json", "--limit", "1000", "--with-output"],
          ["tasks", "--stream", "a", "--json"],
          ["task", ids.late, "--json"],
          ["task", ids.running, "--json"],
          ["task", ids.copy, "--json"],
          ["task", "tsk_big003", "--json", "--full"],
        ]
      ) {
        assert.deepEqual(
          JSON.parse(await p.ok(args, on)),
          JSON.parse(await p.ok(args)),
          args.join(" "),
        );
      }

      // Back into a fresh SQLite project: the same rows as the original file.
      const before = dumpDb(back.db);
      assert.match(before, /"projects":\[\{/); // setup's own project row …
      const o2 = await back.ok(["db", "copy", "--from", pg.url]);
      assert.match(o2, /Copied the PostgreSQL database .* into the SQLite file/);
      assert.match(o2, /The project row setup had written there was replaced by the source's/);
      assert.match(o2, /This project stores in that file: it uses the copy now/);
      assert.equal(dumpDb(back.db), dumpDb(p.db)); // … replaced by the source's
      assert.deepEqual(rows(back.db), rows(p.db));
      assert.equal(counts(back.db), trueCounts(p.db));
      // Its search index is complete at once (nothing left pending).
      assert.equal(query(back.db, "SELECT COUNT(*) AS n FROM tasks_fts_pending")[0].n, 0);
      const hit = query(
        back.db,
        "SELECT t.id FROM tasks_fts f JOIN tasks t ON t.rowid = f.rowid WHERE tasks_fts MATCH 'kaput'",
      );
      assert.deepEqual(hit.map((r) => r.id), [ids.failed]);
      assert.equal(
        query(back.db, "SELECT COUNT(*) AS n FROM tasks_fts WHERE tasks_fts MATCH 'bulkword'")[0].n,
        BULK,
      );

      // The same claim order on all three stores: the tie in b by rowid, then the bulk rows.
      const claims = async (extra: { env?: Record<string, string> }, proj: TempProject) => {
        const got: string[] = [];
        for (let i = 0; i < 5; i++) got.push(JSON.parse(await proj.ok(["claim", "b"], extra)).id);
        return got;
      };
      const expected = await claims({}, p);
      assert.deepEqual(expected.slice(0, 3), [ids.tie1, ids.tie2, ids.tie3]);
      assert.deepEqual(await claims(on, p), expected);
      assert.deepEqual(await claims({}, back), expected);
      // The copy's own triggers kept counting those claims.
      assert.equal(counts(back.db), trueCounts(back.db));
      assert.equal(counts(pg.url), trueCounts(pg.url));
    } finally {
      pg.drop();
      await back.cleanup();
      await p.cleanup();
    }
  },
});

Deno.test({
  name:
    "db copy refuses a target with data, bad URLs, unreachable servers, foreign or empty sources, hosts not allowed",
  ignore,
  async fn() {
    const p = await tempProject();
    const pg = freshDatabase();
    const empty = freshDatabase();
    const foreign = freshDatabase();
    try {
      await p.ok(["session", "create", "s"]);
      await p.ok(["stream", "create", "st", "--session", "s"]);
      await p.ok(["enqueue", "run-bash", "{}", "--stream", "st"]);
      await p.ok(["db", "copy", "--to", pg.url]);
      const pgBefore = dumpDb(pg.url);

      // Never merges: the target holds data.
      let r = await assertRefused(
        p,
        ["db", "copy", "--to", pg.url],
        /already holds SparkQ data \(1 session, 1 stream, 1 task\): db copy never merges/,
      );
      assert.match(r.stderr, /copy into a new, empty database/);
      assert.equal(dumpDb(pg.url), pgBefore);
      r = await assertRefused(
        p,
        ["db", "copy", "--from", pg.url],
        new RegExp(`the SQLite file ${p.db} already holds SparkQ data`),
      );
      assert.match(r.stderr, /move .* away/);

      // URLs.
      await assertRefused(
        p,
        ["db", "copy", "--to", "http://x/y"],
        /--to must start with postgres:\/\//,
        2,
      );
      await assertRefused(
        p,
        ["db", "copy", "--from", "postgres://127.0.0.1/x"],
        /--from names no user/,
        2,
      );
      await assertRefused(p, ["db", "copy", "--to", ""], /--to is not a URL/, 2);
      await assertRefused(p, ["db", "copy"], /--to \(or --from\) is required/, 2);
      await assertRefused(p, ["db", "copy", "--to", pg.url, "--from", pg.url], /--to|--from/, 2);
      const port = freePort();
      r = await assertRefused(
        p,
        ["db", "copy", "--to", `postgres://postgres@127.0.0.1:${port}/x`],
        new RegExp(
          `cannot reach the PostgreSQL server at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`,
        ),
      );
      assert.match(r.stderr, /fix the URL of --to/);
      assert.doesNotMatch(r.stderr, /database\.url/);
      r = await assertRefused(
        p,
        ["db", "copy", "--to", "postgres://postgres@db.example.invalid/x"],
        /not allowed to connect to db\.example\.invalid:5432 \(the host of --to\)/,
      );
      assert.match(r.stderr, /--allow-net=127\.0\.0\.1,localhost,db\.example\.invalid:5432/);

      // Sources that are not SparkQ's.
      await assertRefused(
        p,
        ["db", "copy", "--from", empty.url],
        /nothing to copy: the database .* has no SparkQ tables/,
      );
      assert.deepEqual(
        pgQuery(empty.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
        [],
      );
      pgExec(foreign.url, "CREATE TABLE invoices (n INTEGER)");
      await assertRefused(
        p,
        ["db", "copy", "--from", foreign.url],
        /1 table\(s\) of another application/,
      );
      await assertRefused(
        p,
        ["db", "copy", "--to", foreign.url],
        /1 table\(s\) of another application/,
      );

      // --from with nothing to copy into: no SQLite file is left behind by a refusal.
      const q = await tempProject();
      try {
        await Deno.remove(q.db);
        const r2 = await q.run(["db", "copy", "--from", empty.url]);
        assert.equal(r2.code, 1, r2.stderr);
        assert.throws(() => Deno.statSync(q.db));
        // --to from a project whose file is gone.
        const r3 = await q.run(["db", "copy", "--to", empty.url]);
        assert.equal(r3.code, 1, r3.stderr);
        assert.match(
          r3.stderr,
          new RegExp(`nothing to copy: there is no SQLite database at ${q.db}`),
        );
      } finally {
        await q.cleanup();
      }
    } finally {
      pg.drop();
      empty.drop();
      foreign.drop();
      await p.cleanup();
    }
  },
});

Deno.test({
  name:
    "db copy keeps nothing when a row fails or the check finds a difference: the target is as it was",
  ignore,
  async fn() {
    const p = await tempProject();
    const pg = freshDatabase();
    const scratch = await tempProject();
    try {
      await p.ok(["session", "create", "s"]);
      await p.ok(["stream", "create", "st", "--session", "s"]);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push((await p.ok(["enqueue", "run-bash", `{"i": ${i}}`, "--stream", "st"])).trim());
      }
      // A database SparkQ's setup made: schema and a project row, nothing else.
      await scratch.ok(["setup", "--yes", "--database-url", pg.url]);
      const setupOnly = dumpDb(pg.url);
      assert.match(setupOnly, /"projects":\[\{/);

      // PostgreSQL cannot store a NUL character in text: refused, named, nothing kept.
      exec(p.db, "UPDATE tasks SET stdout = 'a' || char(0) || 'b' WHERE id = ?", ids[2]);
      await assertRefused(
        p,
        ["db", "copy", "--to", pg.url],
        new RegExp(
          `tasks row ${ids[2]}: its stdout holds 3 bytes but reads back as 1: a NUL character`,
        ),
      );
      assert.equal(dumpDb(pg.url), setupOnly);
      exec(p.db, "UPDATE tasks SET stdout = NULL WHERE id = ?", ids[2]);

      // A target that changes a value as it is written: the check names the row and column.
      pgExec(
        pg.url,
        `CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.id = '${ids[1]}' THEN NEW.payload := '{"i": 99}'; END IF; RETURN NEW; END $$`,
      );
      pgExec(
        pg.url,
        "CREATE TRIGGER tamper BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION tamper()",
      );
      const r = await assertRefused(
        p,
        ["db", "copy", "--to", pg.url],
        new RegExp(
          `the copy does not match its source: tasks row ${
            ids[1]
          }, column payload: the source holds "\\{\\\\"i\\\\":1\\}", the PostgreSQL database .* "\\{\\\\"i\\\\": 99\\}"`,
        ),
      );
      assert.match(r.stderr, /nothing was kept/);
      assert.equal(dumpDb(pg.url), setupOnly);

      // Without the tamperer the same copy goes through, replacing setup's project row.
      pgExec(pg.url, "DROP TRIGGER tamper ON tasks");
      const out = await p.ok(["db", "copy", "--to", pg.url, "--json"]);
      const summary = JSON.parse(out);
      assert.deepEqual(summary.rows, { projects: 1, sessions: 1, streams: 1, tasks: 4 });
      assert.equal(summary.replaced_projects, 1);
      assert.equal(summary.verified, true);
      assert.deepEqual(summary.from, { sqlite: p.db });
      assert.deepEqual(rows(pg.url), rows(p.db));

      // A project already pointed at the target (SPARKQ_DATABASE_URL here) copies its file.
      const pg2 = freshDatabase();
      try {
        const r2 = await p.run(["db", "copy", "--to", pg2.url], {
          env: { SPARKQ_DATABASE_URL: pg2.url },
        });
        assert.equal(r2.code, 0, r2.stderr);
        assert.match(
          r2.stderr,
          /^Note: this project stores in PostgreSQL; the copy's source is its SQLite file/,
        );
        assert.match(
          r2.stdout,
          /This project stores in that database already: it uses the copy now/,
        );
        assert.deepEqual(rows(pg2.url), rows(p.db));
      } finally {
        pg2.drop();
      }
    } finally {
      pg.drop();
      await scratch.cleanup();
      await p.cleanup();
    }
  },
});

Deno.test({
  name: "db copy --to refuses while this project's server runs; progress only on a terminal",
  ignore,
  async fn() {
    const port = freePort();
    const p = await tempProject(["--port", String(port)]);
    const pg = freshDatabase();
    const server = spawnSparkq(["run", "--no-watchers"], {
      cwd: p.dir,
      env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    });
    try {
      await p.ok(["session", "create", "s"]);
      await p.ok(["stream", "create", "st", "--session", "s"]);
      for (let i = 0; i < 3; i++) await p.ok(["enqueue", "run-bash", "{}", "--stream", "st"]);
      await server.waitFor("SparkQ server running at");
      await assertRefused(
        p,
        ["db", "copy", "--to", pg.url],
        /the server of this project is running \(PID \d+\).*\nstop it first \('sparkq stop'\)/,
      );
      assert.equal(await server.stop(), 0, server.output());

      // A pipe gets the summary only; a terminal sees the progress line too.
      const piped = await p.run(["db", "copy", "--to", pg.url]);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stderr, "");
      const again = await tempProject();
      try {
        const t = await sparkqOnTerminal(["db", "copy", "--from", pg.url], {
          cwd: again.dir,
          env: { SPARKQ_TMPDIR: `${again.dir}/tmp` },
        });
        assert.equal(t.code, 0, t.out);
        assert.match(t.out, /\rCopying tasks… 3 \/ 3/);
        assert.match(t.out, /\rChecking tasks… 3 \/ 3/);
        assert.match(t.out, /Verified/);
      } finally {
        await again.cleanup();
      }
    } finally {
      await server.stop("SIGKILL");
      pg.drop();
      await p.cleanup();
    }
  },
});

Deno.test({
  name: "db copy through the launcher: a copy and a refusal",
  ignore,
  async fn() {
    const launcher = await freshLauncher();
    const p = await tempProject([], { launcher });
    const pg = freshDatabase();
    const empty = freshDatabase();
    try {
      await p.ok(["session", "create", "s"]);
      await p.ok(["stream", "create", "st", "--session", "s"]);
      const id = (await p.ok(["enqueue", "run-bash", '{"x": 1}', "--stream", "st"])).trim();
      const out = await p.ok(["db", "copy", "--to", pg.url]);
      assert.match(out, /Verified/);
      assert.deepEqual(rows(pg.url), rows(p.db));
      const on = { env: { SPARKQ_DATABASE_URL: pg.url } };
      assert.equal(JSON.parse(await p.ok(["claim", "st"], on)).id, id);
      await assertRefused(
        p,
        ["db", "copy", "--from", empty.url],
        /nothing to copy: the database .* has no SparkQ tables/,
      );
      // The launcher allows the host a 'db copy' URL names: this one is not refused for
      // permission (as it is under the task's fixed flags) but found unreachable.
      const r = await assertRefused(
        p,
        ["db", "copy", "--to", "postgres://postgres@db.example.invalid/x"],
        /cannot reach the PostgreSQL server at db\.example\.invalid:5432/,
      );
      assert.doesNotMatch(r.stderr, /not allowed/);
    } finally {
      pg.drop();
      empty.drop();
      await p.cleanup();
    }
  },
});
