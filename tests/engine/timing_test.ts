/**
 * The time rules in process, with an injected clock (SPEC §5, §12.1): a running task is
 * stale one millisecond after its timeout and auto-failed one millisecond after twice
 * its timeout, both counted from the later of its start and its last heartbeat; the
 * auto-fail is recorded as data (`auto_failed`) with SPEC's message, and a late report
 * is refused with code `auto_failed`.
 */
import assert from "node:assert/strict";
import { isSparkqError } from "../../src/core/errors.ts";
import { failDeadTasks, nextTimeChange } from "../../src/engine/autofail.ts";
import { claim, complete, enqueue, fail, getTask, listTasks } from "../../src/engine/queue.ts";
import { autoFailMessage, deadlines, isAutoFailed, isStale } from "../../src/engine/timing.ts";
import { failDead, listRunning } from "../../src/storage/tasks.ts";
import { setHeartbeat, T0, type TestEngine, testEngine } from "./support.ts";

const TIMEOUT = 10; // seconds
const S = 1000;

/** Enqueues a task with a 10 s timeout at T0 and claims it at `claimAt` ms. */
async function running(e: TestEngine, claimAt = 0): Promise<string> {
  e.at(0);
  const id = (await enqueue(e, { stream: "main", tool: "run-bash", payload: {}, timeout: TIMEOUT }))
    .id;
  e.at(claimAt);
  const t = claim(e, "main");
  assert.equal(t?.id, id);
  return id;
}

function staleIds(e: TestEngine): string[] {
  return listTasks(e, { stale: true }).map((t) => t.id);
}

Deno.test("engine: a running task turns stale exactly after its timeout", async () => {
  const e = testEngine();
  try {
    const id = await running(e);
    e.at(TIMEOUT * S);
    assert.equal(getTask(e, id).stale, false, "at the timeout: not yet stale");
    assert.deepEqual(staleIds(e), []);
    e.at(TIMEOUT * S + 1);
    assert.equal(getTask(e, id).stale, true, "1 ms past the timeout: stale");
    assert.deepEqual(staleIds(e), [id]);
    assert.equal(listTasks(e, { stale: true, status: "queued" }).length, 0);
    assert.equal(e.row(id).status, "running", "stale is a mark, not a state");
  } finally {
    e.close();
  }
});

Deno.test("engine: auto-fail happens exactly after 2x the timeout, as data", async () => {
  const e = testEngine();
  try {
    const id = await running(e);
    e.at(2 * TIMEOUT * S);
    assert.deepEqual(failDeadTasks(e), [], "at 2x the timeout: still running");
    assert.equal(e.row(id).status, "running");
    e.at(2 * TIMEOUT * S + 1);
    assert.deepEqual(failDeadTasks(e), [id]);
    const row = e.row(id);
    assert.equal(row.status, "failed");
    assert.equal(Number(row.auto_failed), 1);
    assert.equal(
      row.error,
      "Auto-failed: task exceeded 2x timeout (20s) with no complete/fail reported. " +
        "Likely worker crash or disconnect.",
    );
    assert.equal(row.error, autoFailMessage(TIMEOUT));
    assert.equal(row.finished_at, new Date(T0 + 2 * TIMEOUT * S + 1).toISOString());
    assert.equal(getTask(e, id).auto_failed, true);
    assert.deepEqual(failDeadTasks(e), [], "the sweep fails a task once");
  } finally {
    e.close();
  }
});

Deno.test("engine: every reading command sweeps first (no server needed)", async () => {
  const e = testEngine(["main", "other"]);
  try {
    const id = await running(e);
    e.at(2 * TIMEOUT * S + 1);
    // A listing of another stream still fails the dead task, in every stream.
    assert.deepEqual(listTasks(e, { stream: "other" }), []);
    assert.equal(e.row(id).status, "failed");
    assert.equal(Number(e.row(id).auto_failed), 1);
  } finally {
    e.close();
  }
});

Deno.test("engine: a task failed by its worker is not auto-failed, whatever its message", async () => {
  const e = testEngine();
  try {
    const id = await running(e);
    fail(e, id, { error: autoFailMessage(TIMEOUT) });
    assert.equal(Number(e.row(id).auto_failed), 0);
    assert.equal(getTask(e, id).auto_failed, false);
    assert.equal(isAutoFailed(e.row(id)), false, "the column decides, not the message");
  } finally {
    e.close();
  }
});

Deno.test("engine: a late complete of an auto-failed task is refused with code auto_failed", async () => {
  const e = testEngine();
  try {
    const id = await running(e);
    e.at(2 * TIMEOUT * S + 1);
    let refused: unknown;
    try {
      complete(e, id, { result: { summary: "too late" } });
    } catch (err) {
      refused = err;
    }
    assert.ok(isSparkqError(refused), `refused with a SparkqError, got ${refused}`);
    assert.equal(refused.code, "auto_failed");
    assert.equal(refused.exitCode, 1);
    assert.match(refused.message, new RegExp(`cannot complete task ${id}: it was auto-failed`));
    const row = e.row(id);
    assert.equal(row.status, "failed", "the auto-fail stands");
    assert.equal(row.result, null);
  } finally {
    e.close();
  }
});

Deno.test("engine: a heartbeat later than the start moves both deadlines", async () => {
  const e = testEngine();
  try {
    const id = await running(e);
    const beat = 7 * S;
    setHeartbeat(e, id, beat);
    assert.deepEqual(deadlines(getTask(e, id)), {
      stale_at: new Date(T0 + beat + TIMEOUT * S).toISOString(),
      auto_fail_at: new Date(T0 + beat + 2 * TIMEOUT * S).toISOString(),
    });

    e.at(TIMEOUT * S + 1); // past the timeout counted from the start
    assert.equal(getTask(e, id).stale, false, "the heartbeat keeps it fresh");
    e.at(beat + TIMEOUT * S);
    assert.equal(getTask(e, id).stale, false);
    e.at(beat + TIMEOUT * S + 1);
    assert.equal(getTask(e, id).stale, true, "stale 1 ms past timeout after the heartbeat");
    assert.deepEqual(staleIds(e), [id]);

    e.at(2 * TIMEOUT * S + 1); // dead if counted from the start
    assert.deepEqual(failDeadTasks(e), []);
    e.at(beat + 2 * TIMEOUT * S);
    assert.deepEqual(failDeadTasks(e), []);
    e.at(beat + 2 * TIMEOUT * S + 1);
    assert.deepEqual(failDeadTasks(e), [id]);
    assert.equal(Number(e.row(id).auto_failed), 1);
  } finally {
    e.close();
  }
});

Deno.test("engine: a heartbeat earlier than the start changes nothing", async () => {
  const e = testEngine();
  try {
    const id = await running(e, 5 * S);
    setHeartbeat(e, id, 1 * S); // before started_at: the start counts
    e.at(5 * S + TIMEOUT * S + 1);
    assert.equal(getTask(e, id).stale, true);
    e.at(5 * S + 2 * TIMEOUT * S + 1);
    assert.deepEqual(failDeadTasks(e), [id]);
  } finally {
    e.close();
  }
});

Deno.test("engine: the sweep does not fail a task whose heartbeat landed after it looked", async () => {
  const e = testEngine();
  try {
    const id = await running(e);
    const other = await running(e);
    e.at(2 * TIMEOUT * S + 1);
    const seen = listRunning(e.db);
    assert.deepEqual(seen.map((t) => t.id).sort(), [id, other].sort());
    setHeartbeat(e, id, 2 * TIMEOUT * S); // the worker's heartbeat wins the race
    // The sweep's one statement, with the rows as it read them: each row is guarded.
    const failed = e.db.write(() =>
      failDead(
        e.db,
        seen.map((t) => ({ ...t, error: autoFailMessage(TIMEOUT) })),
        new Date(e.clock.ms).toISOString(),
      )
    );
    assert.deepEqual(failed, [other], "guarded by the heartbeat it read");
    assert.equal(e.row(id).status, "running");
    assert.equal(e.row(other).status, "failed");
    assert.ok(isAutoFailed(e.row(other)));
    assert.equal(e.row(other).error, autoFailMessage(TIMEOUT));
    assert.deepEqual(failDeadTasks(e), [], "alive again from its heartbeat");
  } finally {
    e.close();
  }
});

Deno.test("engine: nextTimeChange names the next stale or auto-fail moment", async () => {
  const e = testEngine();
  try {
    assert.equal(nextTimeChange(e), Infinity, "nothing running: no deadline");
    const id = await running(e);
    assert.equal(nextTimeChange(e), T0 + TIMEOUT * S);
    e.at(TIMEOUT * S + 1);
    assert.equal(nextTimeChange(e), T0 + 2 * TIMEOUT * S);
    setHeartbeat(e, id, TIMEOUT * S);
    assert.equal(nextTimeChange(e), T0 + 2 * TIMEOUT * S, "heartbeat + timeout");
    e.at(2 * TIMEOUT * S + 1);
    assert.equal(nextTimeChange(e), T0 + 3 * TIMEOUT * S, "heartbeat + 2x timeout");
  } finally {
    e.close();
  }
});

Deno.test("engine: stale and dead need a started, running task", () => {
  const started = new Date(T0).toISOString();
  assert.equal(isStale({ started_at: null, timeout: 1 }, T0 + 10 * S), false);
  assert.equal(deadlines({ started_at: null, timeout: 1 }), undefined);
  assert.equal(isStale({ started_at: started, timeout: 1, status: "failed" }, T0 + 10 * S), false);
  assert.equal(isStale({ started_at: started, timeout: 1, status: "running" }, T0 + 10 * S), true);
});
