/** `sparkq wait --stream S [--timeout N]`: block, claim, print like `claim`; timeouts; refusals. */
import assert from "node:assert/strict";
import { assertRefused, type TempProject, tempProject } from "./helpers.ts";
import { bg } from "./fixtures/worker_lib.ts";

async function project(): Promise<TempProject> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "st1", "--session", "s1", "-i", "Do the thing"]);
  await p.ok(["stream", "create", "st2", "--session", "s1"]);
  return p;
}

Deno.test("wait: times out with no output; returns a task enqueued later, claimed", async () => {
  const p = await project();
  try {
    const empty = await p.run(["wait", "--stream=st1", "--timeout=1"]);
    assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, "", ""]);

    // Something queued in another stream does not wake this one.
    await p.ok(["enqueue", "run-bash", '{"command":"other"}', "--stream", "st2"]);
    const w = bg(p, ["wait", "--stream", "st1", "--timeout", "60"]);
    await new Promise((r) => setTimeout(r, 500));
    const id = (await p.ok(["enqueue", "run-bash", '{"command":"echo 1"}', "--stream", "st1"]))
      .trim();
    const r = await w.finish();
    assert.equal(r.code, 0, r.stderr);
    const task = JSON.parse(r.stdout);
    assert.equal(task.id, id);
    assert.equal(task.status, "running");
    assert.equal(task.attempts, 1);
    assert.deepEqual(task.payload, { command: "echo 1" });
    assert.deepEqual(task.stream.name, "st1");
    assert.deepEqual(task.stream.instructions, "Do the thing");
    assert.equal(p.query("SELECT status FROM tasks WHERE id = ?", id)[0].status, "running");
    assert.equal(
      p.query("SELECT status FROM tasks WHERE stream_id != ?", task.stream_id)[0].status,
      "queued",
    );

    // Same output shape as `claim`.
    await p.ok(["enqueue", "run-bash", '{"command":"echo 2"}', "--stream", "st1"]);
    await p.ok(["enqueue", "run-bash", '{"command":"echo 3"}', "--stream", "st1"]);
    const viaWait = JSON.parse(await p.ok(["wait", "--stream", "st1"]));
    const viaClaim = JSON.parse(await p.ok(["claim", "--stream", "st1"]));
    assert.deepEqual(Object.keys(viaWait).sort(), Object.keys(viaClaim).sort());
    assert.deepEqual(viaWait.payload, { command: "echo 2" }, "FIFO order");
    assert.deepEqual(viaClaim.payload, { command: "echo 3" });
  } finally {
    await p.cleanup();
  }
});

Deno.test("wait: two waiters and one task: exactly one gets it", async () => {
  const p = await project();
  try {
    const a = bg(p, ["wait", "--stream", "st1", "--timeout", "3"]);
    const b = bg(p, ["wait", "--stream", "st1", "--timeout", "3"]);
    await new Promise((r) => setTimeout(r, 700));
    const id = (await p.ok(["enqueue", "run-bash", '{"command":"x"}', "--stream", "st1"])).trim();
    const [ra, rb] = await Promise.all([a.finish(), b.finish()]);
    assert.equal(ra.code, 0);
    assert.equal(rb.code, 0);
    const outs = [ra.stdout, rb.stdout].filter((s) => s !== "");
    assert.equal(outs.length, 1, `exactly one waiter printed a task: ${ra.stdout}|${rb.stdout}`);
    assert.equal(JSON.parse(outs[0]).id, id);
  } finally {
    await p.cleanup();
  }
});

Deno.test("wait: unknown, ended and missing stream, bad timeout are refused", async () => {
  const p = await project();
  try {
    await assertRefused(
      p,
      ["wait", "--stream", "nope", "--timeout", "1"],
      /no stream named 'nope'/,
    );
    await assertRefused(p, ["wait"], /--stream is required/, 2);
    await assertRefused(p, ["wait", "--stream", "st1", "--timeout", "-1"], /--timeout/, 2);
    await assertRefused(p, ["wait", "--stream", "st1", "--timeout", "0"], /--timeout/, 2);
    await assertRefused(p, ["wait", "--stream", "st1", "--timeout", "soon"], /timeout/, 2);
    await p.ok(["stream", "end", "st2"]);
    await assertRefused(p, ["wait", "--stream", "st2", "--timeout", "1"], /'st2' is ended/);

    // A stream ended while someone waits on it: the wait ends with the error.
    const w = bg(p, ["wait", "--stream", "st1"]);
    await new Promise((r) => setTimeout(r, 500));
    await p.ok(["stream", "end", "st1"]);
    const r = await w.finish();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: stream 'st1' is ended/);
  } finally {
    await p.cleanup();
  }
});
