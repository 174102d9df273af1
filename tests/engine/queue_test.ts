/**
 * The queue rules in process (SPEC §5): FIFO claim by created_at then insertion order,
 * the atomic claim guard across connections, requeue as a fresh copy, and purge (never
 * queued or running; strictly older than the cutoff). A clock is injected, so
 * created_at and finished_at are exact.
 */
import assert from "node:assert/strict";
import { isSparkqError } from "../../src/core/errors.ts";
import type { EngineContext } from "../../src/engine/context.ts";
import {
  claim,
  complete,
  enqueue,
  fail,
  peek,
  purge,
  purgeStep,
  requeue,
} from "../../src/engine/queue.ts";
import { getStreamByName } from "../../src/storage/streams.ts";
import { claimQueued } from "../../src/storage/tasks.ts";
import { T0, type TestEngine, testEngine } from "./support.ts";

const S = 1000;
const DAY = 86_400_000;

async function add(e: TestEngine, n: number, stream = "main"): Promise<string> {
  return (await enqueue(e, { stream, tool: "run-bash", payload: { n } })).id;
}

/** The refusal `fn` throws (a SparkqError), or fails the test. */
function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isSparkqError(err)) return err;
    throw err;
  }
  assert.fail("expected a refusal");
}

Deno.test("engine: claim is FIFO by created_at, then insertion order", async () => {
  const e = testEngine(["main", "other"]);
  try {
    e.at(5 * S);
    const a = await add(e, 1);
    const b = await add(e, 2); // same created_at as a: insertion order decides
    e.at(1 * S);
    const early = await add(e, 3); // inserted last, created first
    const elsewhere = await add(e, 4, "other");
    e.at(9 * S);
    const c = await add(e, 5);
    const order = [];
    for (let t; (t = claim(e, "main"));) order.push(t.id);
    assert.deepEqual(order, [early, a, b, c]);
    assert.equal(claim(e, "other")?.id, elsewhere, "streams do not compete");
    assert.equal(claim(e, "main"), undefined, "empty stream: nothing to claim");
  } finally {
    e.close();
  }
});

Deno.test("engine: a claim sets running, started_at and adds one attempt", async () => {
  const e = testEngine();
  try {
    const id = await add(e, 1);
    e.at(3 * S);
    const t = claim(e, "main")!;
    assert.equal(t.id, id);
    assert.equal(t.status, "running");
    assert.equal(t.started_at, new Date(T0 + 3 * S).toISOString());
    assert.equal(t.attempts, 1);
    assert.equal(t.stream.name, "main");
    const row = e.row(id);
    assert.equal(row.status, "running");
    assert.equal(Number(row.attempts), 1);
  } finally {
    e.close();
  }
});

Deno.test("engine: one task is claimed by exactly one connection", async () => {
  const e = testEngine();
  const second = e.reopen();
  try {
    const other: EngineContext = { db: second, config: e.config, now: e.now };
    const ids = [await add(e, 1), await add(e, 2), await add(e, 3)];
    // Two connections take turns: each task goes to exactly one of them.
    const got = [claim(e, "main")?.id, claim(other, "main")?.id, claim(e, "main")?.id];
    assert.deepEqual(got, ids);
    assert.equal(claim(other, "main"), undefined);
    assert.equal(claim(e, "main"), undefined);
    for (const id of ids) assert.equal(Number(e.row(id).attempts), 1, "claimed once");

    // The storage guard: a claim whose row is no longer queued changes nothing.
    const last = await add(e, 4);
    const streamId = e.row(last).stream_id;
    const stamp = new Date(e.clock.ms).toISOString();
    const first = second.write(() => claimQueued(second, streamId, stamp));
    assert.equal(first?.id, last);
    assert.equal(e.db.write(() => claimQueued(e.db, streamId, stamp)), undefined);
    assert.equal(Number(e.row(last).attempts), 1);
  } finally {
    second.close();
    e.close();
  }
});

Deno.test("engine: ended streams are never claimed from", async () => {
  const e = testEngine();
  try {
    await add(e, 1);
    e.db.run("UPDATE streams SET status = 'ended' WHERE name = 'main'");
    assert.match(refusal(() => claim(e, "main")).message, /stream 'main' is ended/);
  } finally {
    e.close();
  }
});

Deno.test("engine: requeue makes a fresh queued copy and keeps the original", async () => {
  const e = testEngine(["main", "other"]);
  try {
    const id = (await enqueue(e, {
      stream: "main",
      tool: "run-python",
      payload: { file: "x.py" },
      timeout: 42,
    })).id;
    claim(e, "main");
    fail(e, id, { error: "boom" });
    const before = e.row(id);

    e.at(60 * S);
    const copy = requeue(e, id);
    assert.notEqual(copy.id, id);
    assert.equal(copy.status, "queued");
    assert.equal(copy.attempts, 0);
    assert.equal(copy.requeued_from, id);
    assert.equal(copy.stream_id, before.stream_id);
    assert.equal(copy.tool_name, "run-python");
    assert.equal(copy.task_class, before.task_class);
    assert.deepEqual(copy.payload, { file: "x.py" });
    assert.equal(copy.timeout, 42);
    assert.equal(copy.started_at, null);
    assert.equal(copy.created_at, new Date(T0 + 60 * S).toISOString());
    assert.deepEqual(e.row(id), before, "the original stays as history");
    assert.equal(claim(e, "main")?.id, copy.id, "the copy is claimable");

    const moved = requeue(e, id, { stream: "other" });
    assert.equal(moved.requeued_from, id);
    assert.equal(moved.stream_id, getStreamByName(e.db, "other")?.id, "--stream puts it elsewhere");
    assert.equal(moved.status, "queued");
  } finally {
    e.close();
  }
});

Deno.test("engine: only failed tasks are requeued", async () => {
  const e = testEngine();
  try {
    const queued = await add(e, 1);
    assert.match(refusal(() => requeue(e, queued)).message, /it is queued; only failed/);
    claim(e, "main");
    assert.match(refusal(() => requeue(e, queued)).message, /it is running; only failed/);
    complete(e, queued, { result: { summary: "ok" } });
    assert.match(refusal(() => requeue(e, queued)).message, /it is succeeded; only failed/);
    assert.equal(refusal(() => requeue(e, "tsk_000000000000")).code, "not_found");
  } finally {
    e.close();
  }
});

Deno.test("engine: purge deletes finished tasks strictly older than the cutoff, never queued or running", async () => {
  for (const bulk of [false, true]) {
    const e = testEngine();
    try {
      e.at(0);
      const running = // a year's timeout: still running (not auto-failed) at the end
        (await enqueue(e, { stream: "main", tool: "run-bash", payload: {}, timeout: 365 * 86_400 }))
          .id;
      const atCutoff = await add(e, 2);
      const older = await add(e, 3);
      const failed = await add(e, 4);
      const queued = await add(e, 5);
      claim(e, "main"); // running
      claim(e, "main");
      claim(e, "main");
      claim(e, "main");
      e.at(1 * S);
      fail(e, failed, { error: "boom" }); // finished at T0+1s
      e.at(2 * S);
      complete(e, older, { result: { summary: "old" } }); // T0+2s
      e.at(3 * S);
      complete(e, atCutoff, { result: { summary: "edge" } }); // T0+3s

      // Now = T0 + 3 days + 3 s; cutoff = now - 3 days = T0 + 3 s.
      e.at(3 * DAY + 3 * S);
      const n = bulk ? purge(e, 3 * DAY, { bulk: true }) : purge(e, 3 * DAY);
      assert.equal(n, 2, `bulk=${bulk}: the two finished before the cutoff`);
      const left = e.db.all<{ id: string }>("SELECT id FROM tasks ORDER BY rowid").map((r) => r.id);
      assert.deepEqual(left, [running, atCutoff, queued], `bulk=${bulk}: FIFO order kept`);
      assert.equal(e.row(running).status, "running");
      assert.equal(e.row(queued).status, "queued");
      assert.equal(peek(e, "main")?.id, queued);

      // Far in the future: everything finished goes, running and queued never do.
      e.at(365 * DAY);
      assert.equal(purgeStep(e, 1), 1);
      assert.deepEqual(
        e.db.all<{ id: string }>("SELECT id FROM tasks ORDER BY rowid").map((r) => r.id),
        [running, queued],
      );
    } finally {
      e.close();
    }
  }
});
