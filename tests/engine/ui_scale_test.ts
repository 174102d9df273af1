/**
 * The web UI's engine rules at scale (SPEC §12.3) in process: keyset pages of the task
 * list, search by ID prefix and by words of summary, error and payload (the FTS5 index
 * and the per-stream counts kept by triggers, through enqueue, finish, purge both ways
 * and a version-2 database's migration), the bulk requeue of a stream's failed tasks
 * and the charts' data.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { isSparkqError } from "../../src/core/errors.ts";
import { activity } from "../../src/engine/activity.ts";
import {
  claim,
  complete,
  enqueue,
  fail,
  listTasks,
  purge,
  purgeStep,
  requeue,
  requeueFailed,
} from "../../src/engine/queue.ts";
import { streamCounts } from "../../src/engine/streams.ts";
import { endStream } from "../../src/engine/streams.ts";
import { pageTasks } from "../../src/engine/task_page.ts";
import { parseCursor, parseTaskQuery, searchTerms } from "../../src/engine/task_query.ts";
import { openDb } from "../../src/storage/db.ts";
import { listTasks as listTaskRows } from "../../src/storage/tasks.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/storage/schema.ts";
import { T0, type TestEngine, testEngine } from "./support.ts";
import { sqliteOnly } from "../support/backend.ts";

const S = 1000;
const DAY = 86_400_000;

/** Follows `next` from the first page to the end, then `prev` back; returns both walks. */
function walk(e: TestEngine, raw: Record<string, string> = {}) {
  const down: string[][] = [];
  let page = pageTasks(e, parseTaskQuery({ ...raw }));
  down.push(page.tasks.map((t) => t.id));
  assert.equal(page.prev, undefined, "the first page has no previous page");
  while (page.next) {
    page = pageTasks(e, parseTaskQuery({ ...raw, before: page.next }));
    down.push(page.tasks.map((t) => t.id));
  }
  const up: string[][] = [page.tasks.map((t) => t.id)];
  while (page.prev) {
    page = pageTasks(e, parseTaskQuery({ ...raw, after: page.prev }));
    up.push(page.tasks.map((t) => t.id));
  }
  return { down, up: up.reverse() };
}

/** The counts per state, as the kept table says and as a scan of the tasks says. */
function countsAgree(e: TestEngine): void {
  const kept = e.db.all<{ stream_id: string; status: string; n: number }>(
    "SELECT stream_id, status, n FROM task_counts WHERE n > 0 ORDER BY stream_id, status",
  ).map((r) => `${r.stream_id}/${r.status}=${r.n}`);
  const scan = e.db.all<{ stream_id: string; status: string; n: number }>(
    "SELECT stream_id, status, COUNT(*) AS n FROM tasks GROUP BY stream_id, status ORDER BY 1, 2",
  ).map((r) => `${r.stream_id}/${r.status}=${r.n}`);
  assert.deepEqual(kept, scan, "task_counts matches the tasks");
}

/** The IDs a search finds (all of them, newest first). */
function found(e: TestEngine, q: string): string[] {
  return listTasks(e, parseTaskQuery({ q, limit: "1000" })).map((t) => t.id);
}

Deno.test("engine: 250 tasks paged 50 at a time: each once, in order, forwards and back, stable under inserts", async () => {
  const e = testEngine(["main", "other"]);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) {
      e.at(Math.floor(i / 3) * S); // three tasks share each creation time: rowid breaks ties
      ids.push((await enqueue(e, { stream: "main", tool: "run-bash", payload: { i } })).id);
    }
    const newest = [...ids].reverse();
    const { down, up } = walk(e);
    assert.deepEqual(down.map((p) => p.length), [50, 50, 50, 50, 50]);
    assert.deepEqual(down.flat(), newest, "every task once, newest first");
    assert.deepEqual(up, down, "rel=prev walks back over the same pages");

    // A page read by cursor stays the same when tasks are added in front of it.
    const first = pageTasks(e, parseTaskQuery({}));
    e.at(100 * S);
    await enqueue(e, { stream: "main", tool: "run-bash", payload: { late: true } });
    const second = pageTasks(e, parseTaskQuery({ before: first.next }));
    assert.deepEqual(second.tasks.map((t) => t.id), newest.slice(50, 100));

    // Filters keep working with paging: a stream, a state.
    for (let i = 0; i < 60; i++) {
      const t = await enqueue(e, { stream: "other", tool: "run-bash", payload: { i } });
      if (i % 2 === 0) claim(e, "other");
      void t;
    }
    const other = walk(e, { stream: "other", limit: "7" });
    assert.equal(other.down.flat().length, 60);
    assert.equal(new Set(other.down.flat()).size, 60);
    const running = walk(e, { stream: "other", status: "running", limit: "7" });
    assert.equal(running.down.flat().length, 30);
    assert.deepEqual(running.up, running.down);
    // Stale: the running tasks past their timeout (300 s for run-bash), paged the same way.
    e.at(100 * S + 400 * S);
    const stale = walk(e, { stale: "1", limit: "4" });
    assert.equal(stale.down.flat().length, 30);
    assert.deepEqual(stale.down.flat(), running.down.flat());
    assert.deepEqual(stale.up, stale.down);
  } finally {
    e.close();
  }
});

Deno.test("engine: cursors and search text are read by the one listing parser", () => {
  assert.deepEqual(parseCursor("2026-03-01T12:00:00.000Z_42", "'before'"), {
    created_at: "2026-03-01T12:00:00.000Z",
    rowid: 42,
  });
  for (const bad of ["42", "yesterday_3", "2026-03-01T12:00:00.000Z_", "x_1"]) {
    assert.throws(
      () => parseTaskQuery({ before: bad }),
      (e: unknown) => isSparkqError(e) && e.code === "usage" && /'before'/.test(e.message),
    );
  }
  assert.throws(() =>
    parseTaskQuery({ before: "2026-03-01T12:00:00.000Z_4", after: "2026-03-01T12:00:00.000Z_2" })
  );
  assert.throws(() => parseTaskQuery({ q: "x".repeat(201) }));
  assert.equal(parseTaskQuery({ q: "   " }).search, undefined);
  assert.deepEqual(searchTerms("tsk_AB12"), { idPrefix: "tsk_ab12" });
  assert.deepEqual(searchTerms("ab12"), { idPrefix: "tsk_ab12", match: '"ab12"' });
  assert.deepEqual(searchTerms('exit-code "x" deploy*'), {
    idPrefix: undefined,
    match: '"exit code" "x" "deploy" *',
  });
  assert.equal(searchTerms("-- !!"), undefined);
});

Deno.test("engine: search finds by ID prefix and by a word of a summary, an error or a payload; the index follows every change", async () => {
  const e = testEngine(["main", "side"]);
  try {
    const a = await enqueue(e, {
      stream: "main",
      tool: "run-bash",
      payload: { cmd: "make zebra" },
    });
    const b = await enqueue(e, { stream: "main", tool: "run-bash", payload: { cmd: "ls" } });
    const c = await enqueue(e, {
      stream: "side",
      tool: "run-bash",
      payload: { cmd: "pwd" },
      timeout: 365 * 86_400, // still running ten days on
    });
    claim(e, "main");
    claim(e, "main");
    claim(e, "side");
    complete(e, a.id, { result: { summary: "Added the giraffe endpoint" } });
    fail(e, b.id, { error: "kangaroo exploded on line 3" });
    assert.deepEqual(found(e, "zebra"), [a.id], "payload word");
    assert.deepEqual(found(e, "giraffe"), [a.id], "summary word");
    assert.deepEqual(found(e, "Kangaroo"), [b.id], "error word, any case");
    assert.deepEqual(found(e, "giraffe zebra"), [a.id], "all words must match");
    assert.deepEqual(found(e, "giraffe kangaroo"), []);
    assert.deepEqual(found(e, "gira*"), [a.id], "prefix");
    assert.deepEqual(found(e, c.id.slice(0, 9)), [c.id], "ID prefix");
    assert.deepEqual(found(e, c.id), [c.id], "whole ID");
    assert.deepEqual(found(e, c.id.slice(4, 12)), [c.id], "ID prefix without tsk_");
    assert.deepEqual(
      listTasks(e, parseTaskQuery({ q: "giraffe", stream: "side" })).map((t) => t.id),
      [],
      "search and a stream filter together",
    );
    // A requeued copy carries the payload: both are found, newest first.
    const copy = requeue(e, b.id);
    assert.deepEqual(found(e, "kangaroo"), [b.id], "the copy has no error yet");
    assert.deepEqual(found(e, "ls"), [copy.id, b.id]);
    // The result replaced: a failure's error text is found, the old one gone after purge.
    e.at(10 * DAY);
    fail(e, c.id, { error: "ocelot timeout" });
    assert.deepEqual(found(e, "ocelot"), [c.id]);
    countsAgree(e);
    assert.equal(purgeStep(e, DAY), 2, "a and b finished long ago");
    assert.deepEqual(found(e, "giraffe"), []);
    assert.deepEqual(found(e, "ls"), [copy.id]);
    countsAgree(e);
  } finally {
    e.close();
  }
});

Deno.test("engine: a bulk purge (rebuilding the table) keeps the search index and the counts right", async () => {
  const e = testEngine();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      ids.push(
        (await enqueue(e, { stream: "main", tool: "run-bash", payload: { w: `word${i}` } })).id,
      );
    }
    for (let i = 0; i < 20; i++) claim(e, "main");
    for (let i = 0; i < 20; i++) complete(e, ids[i], { result: { summary: `done sum${i}` } });
    e.at(5 * DAY);
    assert.equal(purge(e, DAY, { bulk: true }), 20);
    countsAgree(e);
    assert.deepEqual(found(e, "sum3"), []);
    assert.deepEqual(found(e, "word3"), []);
    assert.deepEqual(found(e, "word25"), [ids[25]]);
    assert.deepEqual(found(e, ids[29].slice(0, 10)), [ids[29]]);
    // The triggers are back: a new task and a finish are indexed and counted.
    const late = await enqueue(e, { stream: "main", tool: "run-bash", payload: { w: "newt" } });
    assert.deepEqual(found(e, "newt"), [late.id]);
    claim(e, "main");
    complete(e, ids[20], { result: { summary: "platypus" } });
    assert.deepEqual(found(e, "platypus"), [ids[20]]);
    countsAgree(e);
    assert.equal(streamCounts(e).get(e.row(late.id).stream_id)?.queued, 10);
  } finally {
    e.close();
  }
});

Deno.test("engine: requeueFailed copies each failed task of the stream once, skips those already copied, and nothing else", async () => {
  const e = testEngine(["main", "other"]);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await enqueue(e, { stream: "main", tool: "run-bash", payload: { i } })).id);
    }
    const elsewhere = (await enqueue(e, { stream: "other", tool: "run-bash", payload: {} })).id;
    for (let i = 0; i < 5; i++) claim(e, "main");
    claim(e, "other");
    fail(e, ids[0], { error: "a" });
    fail(e, ids[1], { error: "b" });
    fail(e, ids[2], { error: "c" });
    complete(e, ids[3], { result: { summary: "ok" } });
    fail(e, elsewhere, { error: "not this stream" });
    const already = requeue(e, ids[2]); // ids[2] has a copy: skipped
    const before = e.db.all<{ id: string }>("SELECT id FROM tasks").length;
    const r = requeueFailed(e, "main");
    assert.equal(r.skipped, 1);
    assert.deepEqual(r.requeued.map((t) => t.requeued_from), [ids[0], ids[1]]);
    assert.equal(e.db.all("SELECT id FROM tasks").length, before + 2, "two copies, nothing else");
    for (const t of r.requeued) {
      assert.equal(t.status, "queued");
      assert.equal(e.row(t.id).stream_id, e.row(ids[0]).stream_id);
    }
    assert.equal(e.row(ids[0]).status, "failed", "the originals stay as history");
    assert.equal(e.row(already.id).status, "queued");
    // Again: nothing left to copy.
    assert.deepEqual(requeueFailed(e, "main").requeued, []);
    countsAgree(e);
    // An ended stream takes no copies; an unknown one is not found.
    endStream(e, "other");
    assert.throws(
      () => requeueFailed(e, "other"),
      (x: unknown) => isSparkqError(x) && x.code === "stream_ended",
    );
    assert.throws(
      () => requeueFailed(e, "nope"),
      (x: unknown) => isSparkqError(x) && x.code === "not_found",
    );
  } finally {
    e.close();
  }
});

Deno.test("engine: activity counts the last 24 hours per hour by outcome and the median run time per tool", async () => {
  const e = testEngine(["main", "other"]);
  try {
    const H = 3_600_000;
    const run = async (
      tool: string,
      startMs: number,
      seconds: number,
      ok: boolean,
      stream = "main",
    ) => {
      e.at(startMs);
      const t = await enqueue(e, { stream, tool, payload: {} });
      claim(e, stream);
      e.at(startMs + seconds * S);
      if (ok) complete(e, t.id, { result: { summary: "ok" } });
      else fail(e, t.id, { error: "no" });
    };
    await run("run-bash", -30 * H, 1, true); // before the window
    await run("run-bash", 0, 2, true);
    await run("run-bash", 0, 4, true);
    await run("run-bash", 0, 9, false);
    await run("llm-haiku", 2 * H, 10, true);
    await run("llm-haiku", 2 * H, 20, true);
    e.at(5 * H + 10 * S);
    const mainOnly = activity(e, { stream: "main" });
    const a = activity(e);
    assert.equal(a.hours.length, 24);
    const at = (ms: number) => a.hours.find((h) => h.start === new Date(T0 + ms).toISOString())!;
    assert.deepEqual(at(0), {
      start: new Date(T0).toISOString(),
      succeeded: 2,
      failed: 1,
      auto_failed: 0,
    });
    assert.equal(at(2 * H).succeeded, 2);
    assert.equal(a.hours.reduce((n, h) => n + h.succeeded + h.failed + h.auto_failed, 0), 5);
    assert.deepEqual(a.tools, [
      { tool_name: "llm-haiku", median_s: 15, n: 2 },
      { tool_name: "run-bash", median_s: 4, n: 3 },
    ]);
    // One stream's charts: a task of another stream counts only in the whole picture.
    await run("run-bash", 4 * H, 60, true, "other");
    e.at(5 * H + 10 * S);
    assert.deepEqual(activity(e, { stream: "main" }), mainOnly);
    assert.deepEqual(activity(e, { stream: "other" }).tools, [
      { tool_name: "run-bash", median_s: 60, n: 1 },
    ]);
    assert.equal(activity(e).hours.reduce((n, h) => n + h.succeeded, 0), 5);
    assert.throws(
      () => activity(e, { stream: "nope" }),
      (x: unknown) => isSparkqError(x) && x.code === "not_found",
    );
  } finally {
    e.close();
  }
});

// SQLite only: a version-2 SQLite file's migration (PostgreSQL has its own schema versions).
Deno.test(
  "engine: the version-3 migration indexes and counts the tasks of a version-2 database",
  sqliteOnly(),
  () => {
    const dir = Deno.makeTempDirSync({ prefix: "sparkq-v2-" });
    try {
      const raw = new DatabaseSync(`${dir}/sparkq.db`);
      raw.exec("PRAGMA journal_mode=WAL");
      raw.exec(MIGRATIONS[0]);
      raw.exec(MIGRATIONS[1]);
      const at = new Date(T0).toISOString();
      raw.exec(`INSERT INTO projects VALUES ('prj_1', 'p', NULL, NULL, '${at}', '${at}');
      INSERT INTO sessions VALUES ('ses_1', 'prj_1', 's', NULL, 'active', '${at}', NULL, '${at}', '${at}');
      INSERT INTO streams VALUES ('str_1', 'ses_1', 'main', NULL, 'active', '${at}', '${at}');`);
      const ins = raw.prepare(
        `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, result, error, created_at, updated_at)
       VALUES (?, 'str_1', 'run-bash', 'MEDIUM_SCRIPT', ?, ?, 60, ?, ?, '${at}', '${at}')`,
      );
      ins.run("tsk_aaaaaaaaaaa1", '{"cmd":"wombat"}', "queued", null, null);
      ins.run("tsk_aaaaaaaaaaa2", "{}", "succeeded", '{"summary":"quokka fed"}', null);
      ins.run("tsk_aaaaaaaaaaa3", "{}", "failed", "[1]", "numbat bit");
      raw.exec("PRAGMA user_version=2");
      raw.close();
      const db = openDb(`${dir}/sparkq.db`);
      try {
        assert.equal(
          Number(db.raw.prepare("PRAGMA user_version").get()!.user_version),
          SCHEMA_VERSION,
        );
        const e = { db, config: undefined as never, now: () => T0 };
        const ids = (q: string) => listTasks(e, parseTaskQuery({ q })).map((t) => t.id);
        assert.deepEqual(ids("wombat"), ["tsk_aaaaaaaaaaa1"]);
        assert.deepEqual(ids("quokka"), ["tsk_aaaaaaaaaaa2"]);
        assert.deepEqual(ids("numbat"), ["tsk_aaaaaaaaaaa3"]);
        assert.deepEqual(ids("tsk_aaaaaaaaaaa"), [
          "tsk_aaaaaaaaaaa3",
          "tsk_aaaaaaaaaaa2",
          "tsk_aaaaaaaaaaa1",
        ]);
        assert.deepEqual(
          [...streamCounts(e).values()],
          [{ queued: 1, running: 0, stale: 0, succeeded: 1, failed: 1 }],
        );
      } finally {
        db.close();
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);

// SQLite only: reads SQLite's EXPLAIN QUERY PLAN (its index and FTS5 names).
Deno.test(
  "engine: every page of the list is an index range (EXPLAIN QUERY PLAN: no scan, no sort), a search reads its index",
  sqliteOnly(),
  () => {
    const e = testEngine();
    try {
      const plans: string[][] = [];
      const all = e.db.all.bind(e.db);
      e.db.all = ((sql: string, ...params: never[]) => {
        plans.push(
          all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ...params).map((r) => r.detail),
        );
        return [];
      }) as typeof e.db.all;
      const key = { created_at: new Date(T0).toISOString(), rowid: 5 };
      const streamId = "str_x";
      const cases: [string, Parameters<typeof listTaskRows>[1], RegExp][] = [
        [
          "next page",
          { before: key, limit: 51 },
          /USING INDEX idx_tasks_created_at \(created_at<\?\)/,
        ],
        [
          "previous page",
          { after: key, limit: 51 },
          /USING INDEX idx_tasks_created_at \(created_at>\?\)/,
        ],
        [
          "a state",
          { status: "failed", before: key, limit: 51 },
          /idx_tasks_status_created \(status=\? AND created_at<\?\)/,
        ],
        [
          "a stream",
          { streamId, before: key, limit: 51 },
          /idx_tasks_stream_created \(stream_id=\? AND created_at<\?\)/,
        ],
        [
          "a stream and a state",
          { streamId, status: "failed", before: key, limit: 51 },
          /idx_tasks_stream_status_created \(stream_id=\? AND status=\? AND created_at<\?\)/,
        ],
        ["words", { search: { match: '"x"' }, before: key, limit: 51 }, /SCAN fts VIRTUAL TABLE/],
        [
          "an ID prefix",
          { search: { idPrefix: "tsk_ab12" }, limit: 51 },
          /sqlite_autoindex_tasks_1 \(id>\? AND id<\?\)/,
        ],
      ];
      for (const [label, f, want] of cases) {
        plans.length = 0;
        listTaskRows(e.db, f);
        const plan = plans.flat().join(" | ");
        assert.match(plan, want, `${label}: ${plan}`);
        assert.doesNotMatch(plan, /SCAN t\b/, `${label}: no scan of the tasks: ${plan}`);
        if (!f.search) assert.doesNotMatch(plan, /TEMP B-TREE/, `${label}: no sort: ${plan}`);
      }
      e.db.all = all;
    } finally {
      e.close();
    }
  },
);
