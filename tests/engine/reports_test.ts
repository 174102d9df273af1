/**
 * In-process tests of the worker contract's edges (SPEC §12.1) with a hand-moved clock:
 * the 8 MiB cap cutting inside multi-byte characters, the 64 KiB detail tail on a
 * character boundary, heartbeat deadlines, late reports kept once, identical reports.
 */
import assert from "node:assert/strict";
import { MAX_OUTPUT_BYTES } from "../../src/core/constants.ts";
import { heartbeat } from "../../src/engine/heartbeat.ts";
import { claim, complete, enqueue, fail, getTask } from "../../src/engine/queue.ts";
import { jsonEqual } from "../../src/engine/task_json.ts";
import { OUTPUT_TAIL_BYTES, tailOf } from "../../src/engine/task_view.ts";
import { capOutputInfo } from "../../src/engine/validate.ts";
import { testEngine } from "./support.ts";

const enc = new TextEncoder();

Deno.test("engine: the 8 MiB cap keeps whole characters at both cuts and counts what it left out", () => {
  // 3-byte characters after one ASCII byte: neither cut falls on a character boundary.
  const text = "x" + "€".repeat(Math.ceil((MAX_OUTPUT_BYTES + 5000) / 3));
  const total = enc.encode(text).length;
  const { text: kept, cut } = capOutputInfo(text);
  assert.ok(kept !== null && cut > 0);
  const m = /\n\[… truncated (\d+) bytes\]\n/.exec(kept);
  assert.ok(m);
  assert.equal(Number(m[1]), cut);
  const head = kept.slice(0, m.index);
  const tail = kept.slice(m.index + m[0].length);
  assert.ok(!head.includes("\ufffd") && !tail.includes("\ufffd"), "no broken character");
  assert.ok(text.startsWith(head) && text.endsWith(tail));
  assert.equal(enc.encode(head).length + cut + enc.encode(tail).length, total);
  assert.ok(enc.encode(head).length <= MAX_OUTPUT_BYTES / 2);
  assert.ok(enc.encode(tail).length <= MAX_OUTPUT_BYTES / 2);
  assert.ok(enc.encode(head).length > MAX_OUTPUT_BYTES / 2 - 3);
  // At the cap exactly: stored whole.
  const exact = "a".repeat(MAX_OUTPUT_BYTES);
  assert.deepEqual(capOutputInfo(exact), { text: exact, cut: 0 });
});

Deno.test("engine: a task's detail shows the last 64 KiB on a character boundary", async () => {
  const e = testEngine();
  try {
    const id = (await enqueue(e, { stream: "main", tool: "run-bash", payload: {} })).id;
    claim(e, "main");
    const out = "ü".repeat(OUTPUT_TAIL_BYTES) + "END"; // 2-byte characters
    complete(e, id, { result: { summary: "s" }, stdout: out, stderr: "small" });
    const t = getTask(e, id);
    assert.ok(out.endsWith(t.stdout!));
    assert.ok(!t.stdout!.includes("\ufffd"));
    assert.equal(t.stdout_omitted_bytes + enc.encode(t.stdout!).length, enc.encode(out).length);
    assert.ok(enc.encode(t.stdout!).length <= OUTPUT_TAIL_BYTES);
    assert.equal(t.stderr, "small");
    assert.equal(t.stderr_omitted_bytes, 0);
    const full = getTask(e, id, { full: true });
    assert.equal(full.stdout, out);
    assert.equal(full.stdout_omitted_bytes, 0);
    assert.deepEqual(tailOf("short"), { text: "short", omitted: 0 });
  } finally {
    e.close();
  }
});

Deno.test("engine: a heartbeat moves both deadlines; notes keep the last 200", async () => {
  const e = testEngine();
  try {
    const id =
      (await enqueue(e, { stream: "main", tool: "run-bash", payload: {}, timeout: 10 })).id;
    claim(e, "main");
    e.at(15_000); // stale (past 10 s), not dead
    const b = heartbeat(e, id, { note: "one" });
    assert.equal(b.heartbeat_at, new Date(e.clock.ms).toISOString());
    assert.equal(Date.parse(b.stale_at), e.clock.ms + 10_000);
    assert.equal(Date.parse(b.auto_fail_at), e.clock.ms + 20_000);
    assert.equal(getTask(e, id).stale, false);
    e.at(15_000 + 19_000);
    assert.equal(getTask(e, id).status, "running", "not dead before 2x after the beat");
    for (let i = 0; i < 205; i++) heartbeat(e, id, { note: `n${i}` });
    const notes = getTask(e, id).notes;
    assert.equal(notes.length, 200);
    assert.equal(notes[0].note, "n5");
    e.at(15_000 + 19_000 + 20_001);
    const t = getTask(e, id);
    assert.equal(t.status, "failed");
    assert.equal(t.auto_failed, true);
    assert.throws(() => heartbeat(e, id), (err: { code: string }) => err.code === "auto_failed");
  } finally {
    e.close();
  }
});

Deno.test("engine: only the first late report is kept; identical reports change nothing", async () => {
  const e = testEngine();
  try {
    const id = (await enqueue(e, { stream: "main", tool: "run-bash", payload: {}, timeout: 1 })).id;
    claim(e, "main");
    e.at(3_000);
    const late = () => complete(e, id, { result: { summary: "late", n: 1 }, stdout: "o" });
    assert.throws(
      late,
      (err: { code: string; message: string }) =>
        err.code === "auto_failed" && /what this report carried is kept/.test(err.message),
    );
    const kept = e.row(id).late_report;
    assert.deepEqual(JSON.parse(kept!), {
      at: new Date(e.clock.ms).toISOString(),
      outcome: "succeeded",
      result: { summary: "late", n: 1 },
      stdout: "o",
    });
    e.at(4_000);
    assert.throws(late, (err: { message: string }) => /is kept already/.test(err.message));
    assert.throws(
      () => fail(e, id, { error: "other" }),
      (err: { message: string }) => /this one was not stored/.test(err.message),
    );
    assert.equal(e.row(id).late_report, kept, "the first late report stays");

    const id2 = (await enqueue(e, { stream: "main", tool: "run-bash", payload: {} })).id;
    claim(e, "main");
    complete(e, id2, { result: { summary: "ok", list: [1, { a: null }] } });
    const before = e.row(id2);
    e.at(10_000);
    complete(e, id2, { result: { list: [1, { a: null }], summary: "ok" } });
    assert.deepEqual(e.row(id2), before, "the same result again changes nothing");
    assert.throws(
      () => complete(e, id2, { result: { summary: "ok", list: [1] } }),
      (err: { code: string }) => err.code === "not_running",
    );
    assert.ok(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] }));
    assert.ok(!jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
    assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: undefined }));
  } finally {
    e.close();
  }
});
