/**
 * The worker contract (SPEC §12.1) on real processes: heartbeats move the stale and
 * auto-fail clock; a report after the auto-fail is refused but kept; the same report
 * twice is accepted and changes nothing; outputs are bounded in listings and details
 * and cut head-and-tail with a warning; a claimed task says where to work; refusals
 * carry the same code through the CLI (`--json`) and the API; stranded queued tasks of
 * an ended stream can be moved, with lineage both ways.
 */
import assert from "node:assert/strict";
import { freshLauncher, type RunResult, type TempProject, tempProject } from "./helpers.ts";
import { api, startServer } from "./server_helpers.ts";
import { sqlTaskId, sqlZeros } from "./support/backend.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

async function project(opts: { launcher?: string; setup?: string[] } = {}): Promise<TempProject> {
  const p = await tempProject(opts.setup ?? [], { launcher: opts.launcher });
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "work", "--session", "s1"]);
  return p;
}

/** Enqueues a task (optionally with a timeout) and claims it; returns its ID. */
async function claimed(p: TempProject, timeout?: number, stream = "work"): Promise<string> {
  const extra = timeout === undefined ? [] : ["--timeout", String(timeout)];
  const id = (await p.ok(["enqueue", "run-bash", '{"cmd":"make"}', "-s", stream, ...extra])).trim();
  const task = JSON.parse(await p.ok(["claim", "--stream", stream]));
  assert.equal(task.id, id);
  return id;
}

/** Moves a running task's clock back so the auto-fail rule applies at the next command. */
function age(p: TempProject, id: string, seconds: number): void {
  const past = new Date(Date.now() - seconds * 1000).toISOString();
  p.exec("UPDATE tasks SET started_at = ?, heartbeat_at = NULL WHERE id = ?", past, id);
}

/** The one JSON line a refused `--json` command prints on stderr. */
function jsonError(r: RunResult): { error: string; code: string; hint?: string } {
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
  return JSON.parse(lines[0]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

Deno.test("heartbeats keep a task alive past 2x its timeout; it is auto-failed 2x timeout after the last", async () => {
  const p = await project();
  try {
    const timeout = 2;
    const id = await claimed(p, timeout);
    const started = Date.parse(p.query("SELECT started_at FROM tasks")[0].started_at as string);
    let last: Record<string, string> = {};
    let n = 0;
    // Beat until well past 2x the timeout from the claim; after each beat the task is
    // running and not stale (a beat every ~1 s at most keeps it under its 2 s timeout).
    while (Date.now() - started < (2 * timeout + 1.5) * 1000) {
      const out = await p.ok(["heartbeat", id, "--note", `step ${++n}`]);
      assert.equal(out.trim().split("\n").length, 1, "one JSON line");
      last = JSON.parse(out);
      assert.deepEqual(Object.keys(last), ["id", "heartbeat_at", "stale_at", "auto_fail_at"]);
      assert.equal(last.id, id);
      const beat = Date.parse(last.heartbeat_at);
      assert.equal(Date.parse(last.stale_at), beat + timeout * 1000);
      assert.equal(Date.parse(last.auto_fail_at), beat + 2 * timeout * 1000);
      const t = JSON.parse(await p.ok(["task", id, "--json"]));
      assert.equal(t.status, "running", `still running after ${n} beats`);
      assert.equal(t.stale, false, "not stale while heartbeats continue");
      assert.equal(t.heartbeat_at, last.heartbeat_at);
    }
    assert.ok(Date.now() - started > 2 * timeout * 1000, "ran past 2x the timeout");
    const notes = JSON.parse(await p.ok(["task", id, "--json"])).notes;
    assert.equal(notes.length, n);
    assert.deepEqual(notes.at(-1), { at: last.heartbeat_at, note: `step ${n}` });

    // Now silent: auto-failed, and not before 2x timeout after the last heartbeat.
    let t: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      t = JSON.parse(await p.ok(["task", id, "--json"]));
      if (t.status !== "running") break;
      await sleep(300);
    }
    assert.equal(t.status, "failed");
    assert.equal(t.auto_failed, true);
    assert.match(String(t.error), /^Auto-failed: task exceeded 2x timeout \(4s\)/);
    assert.ok(
      Date.parse(String(t.finished_at)) >= Date.parse(last.auto_fail_at),
      `auto-failed at ${t.finished_at}, not before ${last.auto_fail_at}`,
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("heartbeat: refused like complete on a task that is not running; notes are capped", async () => {
  const p = await project();
  try {
    await p.ok(["stream", "create", "idle", "--session", "s1"]);
    const queued = (await p.ok(["enqueue", "run-bash", "{}", "-s", "idle"])).trim();
    let r = await p.run(["heartbeat", queued, "--json"]);
    assert.equal(r.code, 1);
    assert.equal(jsonError(r).code, "not_running");
    r = await p.run(["heartbeat", "tsk_000000000000"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: no task with ID 'tsk_000000000000'/);

    const id = await claimed(p, 1);
    age(p, id, 5);
    r = await p.run(["heartbeat", id, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(jsonError(r).code, "auto_failed");

    // A long note is cut at 4 KiB with a mark; at most 200 notes, the oldest dropped.
    const live = await claimed(p);
    const long = "é".repeat(3000); // 6000 bytes
    await p.ok(["heartbeat", live, "--note", long]);
    const note = JSON.parse(await p.ok(["task", live, "--json"])).notes[0].note as string;
    assert.ok(new TextEncoder().encode(note).length <= 4096, "note capped at 4 KiB");
    assert.match(note, /^é+… \[note cut at 4 KiB\]$/);
    const rows = Array.from(
      { length: 205 },
      (_, i) => ({ at: "2026-12-01T00:00:00.000Z", note: `n${i}` }),
    );
    p.exec("UPDATE tasks SET notes = ? WHERE id = ?", JSON.stringify(rows), live);
    await p.ok(["heartbeat", live, "--note", "latest"]);
    const notes = JSON.parse(await p.ok(["task", live, "--json"])).notes;
    assert.equal(notes.length, 200);
    assert.equal(notes.at(-1).note, "latest");
    assert.equal(notes[0].note, "n6", "the oldest dropped");
    // A heartbeat without a note keeps the notes and moves heartbeat_at.
    const before = JSON.parse(await p.ok(["task", live, "--json"]));
    await sleep(20);
    const beat = JSON.parse(await p.ok(["heartbeat", live]));
    const after = JSON.parse(await p.ok(["task", live, "--json"]));
    assert.deepEqual(after.notes, before.notes);
    assert.equal(after.heartbeat_at, beat.heartbeat_at);
    assert.ok(after.heartbeat_at > before.heartbeat_at);
  } finally {
    await p.cleanup();
  }
});

Deno.test("a late complete is refused (auto_failed) but its result, stdout and stderr are kept", async () => {
  const p = await project();
  try {
    const id = await claimed(p, 1);
    age(p, id, 10);
    const result = { summary: "Built it after all", files: ["a.ts"] };
    const r = await p.run([
      "complete",
      id,
      "--result",
      JSON.stringify(result),
      "--stdout",
      "late out",
      "--stderr",
      "late err",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Error: cannot complete task \S+: it was auto-failed at /);
    assert.match(r.stderr, /kept on the task as late_report/);
    const t = JSON.parse(await p.ok(["task", id, "--json"]));
    assert.equal(t.status, "failed", "the auto-fail stands");
    assert.equal(t.auto_failed, true);
    assert.equal(t.result, null);
    assert.equal(t.stdout, null);
    assert.deepEqual(Object.keys(t.late_report), ["at", "outcome", "result", "stdout", "stderr"]);
    assert.equal(t.late_report.outcome, "succeeded");
    assert.deepEqual(t.late_report.result, result);
    assert.equal(t.late_report.stdout, "late out");
    assert.equal(t.late_report.stderr, "late err");
    const human = await p.ok(["task", id]);
    assert.match(human, /Late report/);
    assert.match(human, /Built it after all/);

    // The same late report again: refused, the kept one unchanged.
    const again = await p.run(["complete", id, "--result", JSON.stringify(result), "--json"]);
    assert.equal(again.code, 1);
    assert.equal(jsonError(again).code, "auto_failed");

    // A late fail is kept too.
    const id2 = await claimed(p, 1);
    age(p, id2, 10);
    const f = await p.run(["fail", id2, "--error", "gave up", "--stderr", "trace"]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /kept on the task as late_report/);
    const t2 = JSON.parse(await p.ok(["task", id2, "--json"]));
    assert.equal(t2.error.startsWith("Auto-failed:"), true);
    assert.equal(t2.late_report.outcome, "failed");
    assert.equal(t2.late_report.error, "gave up");
    assert.equal(t2.late_report.stderr, "trace");
  } finally {
    await p.cleanup();
  }
});

Deno.test("the same complete twice exits 0 both times and changes nothing the second time", async () => {
  const p = await project();
  try {
    const id = await claimed(p);
    const args = ["complete", id, "--result", '{"summary":"Done","n":[1,{"a":2}]}'];
    const first = await p.run(args);
    assert.equal(first.code, 0, first.stderr);
    const before = p.dump();
    // The same result with its keys in another order is the same report.
    const second = await p.run(["complete", id, "--result", '{"n":[1,{"a":2}],"summary":"Done"}']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout, "prints what the first printed");
    assert.equal(p.dump(), before, "changed nothing");
    const json1 = await p.ok([...args, "--json"]);
    assert.equal(JSON.parse(json1).id, id);
    assert.equal(p.dump(), before);

    // A different result is refused, as is fail of a succeeded task.
    let r = await p.run(["complete", id, "--result", '{"summary":"Other"}', "--json"]);
    assert.equal(r.code, 1);
    assert.equal(jsonError(r).code, "not_running");
    r = await p.run(["fail", id, "--error", "x"]);
    assert.equal(r.code, 1);
    assert.equal(p.dump(), before);

    // fail twice with the same error: fine; with another error: refused.
    const id2 = await claimed(p);
    assert.equal((await p.run(["fail", id2, "--error", "boom"])).code, 0);
    const mid = p.dump();
    const again = await p.run(["fail", id2, "--error", "boom"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Failed tsk_\w+: boom/);
    assert.equal(p.dump(), mid);
    assert.equal((await p.run(["fail", id2, "--error", "other"])).code, 1);
  } finally {
    await p.cleanup();
  }
});

Deno.test("a 12 MiB stdout keeps its first and last 4 MiB and warns; task shows the last 64 KiB", async () => {
  const p = await project();
  try {
    const id = await claimed(p);
    // 12 MiB: a distinct head, middle and tail, with multi-byte characters at the cuts.
    const head = "H✓".repeat(MiB); // 4 MiB (1 + 3 bytes)
    const middle = "m".repeat(4 * MiB);
    const tail = "✓T".repeat(MiB);
    await Deno.writeTextFile(`${p.dir}/big.txt`, head + middle + tail);
    const r = await p.run([
      "complete",
      id,
      "--result",
      '{"summary":"big"}',
      "--stdout-file",
      "big.txt",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: stdout was larger than 8 MiB: kept its first and last 4 MiB/);
    assert.match(r.stdout, /^Completed /);

    const full = JSON.parse(await p.ok(["task", id, "--json", "--full"]));
    const m = /\n\[… truncated (\d+) bytes\]\n/.exec(full.stdout);
    assert.ok(m, "a marker between head and tail");
    assert.equal(Number(m[1]), 4 * MiB, "the middle 4 MiB left out");
    assert.ok(full.stdout.slice(0, m.index) === head, "the first 4 MiB kept");
    assert.ok(full.stdout.slice(m.index + m[0].length) === tail, "the last 4 MiB kept");
    assert.equal(full.stdout_omitted_bytes, 0);

    const shown = JSON.parse(await p.ok(["task", id, "--json"]));
    assert.ok(new TextEncoder().encode(shown.stdout).length <= 64 * KiB);
    assert.ok(tail.endsWith(shown.stdout), "the detail shows the end");
    const stored = 8 * MiB + new TextEncoder().encode(m[0]).length;
    assert.equal(
      shown.stdout_omitted_bytes + new TextEncoder().encode(shown.stdout).length,
      stored,
      "shown + omitted = stored",
    );
    const human = await p.ok(["task", id]);
    assert.match(human, /first \d+ bytes of stdout not shown \(--full shows everything\)/);
    assert.ok(human.length < 80 * KiB, "the human view is bounded too");
  } finally {
    await p.cleanup();
  }
});

Deno.test("tasks --json on 50 tasks with 1 MiB outputs stays under 64 KiB; --with-output puts them back", async () => {
  const s = await startServer();
  const p = s.p;
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "work", "--session", "s1"]);
    const streamId = p.query("SELECT id FROM streams")[0].id as string;
    // 50 finished tasks, each with 1 MiB of stdout and of stderr.
    p.exec(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout,
         attempts, result, stdout, stderr, created_at, updated_at, started_at, finished_at)
       SELECT ${sqlTaskId("i")}, ?, 'run-bash', 'MEDIUM_SCRIPT', '{}', 'succeeded', 300, 1,
         '{"summary":"ok"}', ${sqlZeros(MiB)}, ${sqlZeros(MiB)},
         '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z',
         '2026-12-01T00:00:01.000Z' FROM n`,
      streamId,
    );
    const out = await p.ok(["tasks", "--json"]);
    assert.ok(out.length < 64 * KiB, `tasks --json is ${out.length} bytes`);
    const rows = JSON.parse(out);
    assert.equal(rows.length, 50);
    for (const t of rows) {
      assert.equal("stdout" in t, false);
      assert.equal("stderr" in t, false);
      assert.equal(t.stdout_bytes, MiB);
      assert.equal(t.stderr_bytes, MiB);
    }
    const listed = await api(s, "GET", "/api/tasks");
    assert.equal(listed.status, 200);
    assert.ok(JSON.stringify(listed.body).length < 64 * KiB);
    assert.deepEqual(listed.body, rows, "the API lists the same");

    const withOut = JSON.parse(await p.ok(["tasks", "--json", "--limit", "2", "--with-output"]));
    assert.equal(withOut[0].stdout.length, MiB);
    assert.equal(withOut[0].stdout_bytes, MiB);
    const apiOut = await api(s, "GET", "/api/tasks?limit=2&with_output=1");
    assert.deepEqual(apiOut.body, withOut);

    // The detail: the last 64 KiB, and everything with full=1.
    const one = await api(s, "GET", "/api/tasks/tsk_000000000001");
    assert.equal(one.body.stdout.length, 64 * KiB);
    assert.equal(one.body.stdout_omitted_bytes, MiB - 64 * KiB);
    const whole = await api(s, "GET", "/api/tasks/tsk_000000000001?full=1");
    assert.equal(whole.body.stdout.length, MiB);
    assert.equal(whole.body.stdout_omitted_bytes, 0);
    const cli = JSON.parse(await p.ok(["task", "tsk_000000000001", "--json"]));
    assert.deepEqual(cli, one.body, "CLI and API show the same detail");
  } finally {
    await s.stop();
    await p.cleanup();
  }
});

Deno.test("a claimed task carries the project with absolute paths (claim, wait, API)", async () => {
  const s = await startServer({ setupFlags: ["--prd-path", "docs/prd.md"] });
  const p = s.p;
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "work", "--session", "s1"]);
    const want = { name: "test", repo_path: p.dir, prd_path: `${p.dir}/docs/prd.md` };
    for (let i = 0; i < 3; i++) await p.ok(["enqueue", "run-bash", "{}", "-s", "work"]);
    const a = JSON.parse(await p.ok(["claim", "--stream", "work"]));
    assert.deepEqual(a.project, want);
    const b = JSON.parse(await p.ok(["wait", "--stream", "work", "--timeout", "5"]));
    assert.deepEqual(b.project, want);
    const c = await api(s, "POST", "/api/streams/work/claim", {});
    assert.equal(c.status, 200);
    assert.deepEqual(c.body.project, want);
    // fail through the API keeps structured facts, as fail --result does.
    const facts = { failing_tests: ["a", "b"] };
    const f = await api(s, "POST", `/api/tasks/${c.body.id}/fail`, {
      error: "2 fail",
      result: facts,
    });
    assert.equal(f.status, 200, JSON.stringify(f.body));
    assert.deepEqual(f.body.result, facts);
    assert.equal(f.body.error, "2 fail");
  } finally {
    await s.stop();
    await p.cleanup();
  }
});

Deno.test("a refusal's code is the same through CLI --json and the API", async () => {
  const s = await startServer();
  const p = s.p;
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "work", "--session", "s1"]);
    await p.ok(["stream", "create", "old", "--session", "s1"]);
    await p.ok(["stream", "end", "old"]);
    const queued = (await p.ok(["enqueue", "run-bash", "{}", "-s", "work"])).trim();
    const cases: [string[], string, string, unknown, string][] = [
      [
        ["complete", "tsk_000000000000", "--result", '{"summary":"x"}'],
        "POST",
        "/api/tasks/tsk_000000000000/complete",
        { result: { summary: "x" } },
        "not_found",
      ],
      [
        ["complete", queued, "--result", '{"summary":"x"}'],
        "POST",
        `/api/tasks/${queued}/complete`,
        { result: { summary: "x" } },
        "not_running",
      ],
      [["heartbeat", queued], "POST", `/api/tasks/${queued}/heartbeat`, {}, "not_running"],
      [["claim", "--stream", "old"], "POST", "/api/streams/old/claim", {}, "stream_ended"],
      [
        ["enqueue", "run-bash", "{}", "-s", "old"],
        "POST",
        "/api/tasks",
        { stream: "old", tool_name: "run-bash", payload: {} },
        "stream_ended",
      ],
      [
        ["stream", "create", "work", "--session", "s1"],
        "POST",
        "/api/streams",
        { name: "work", session: "s1" },
        "duplicate",
      ],
      [["stream", "end", "old"], "POST", "/api/streams/old/end", {}, "stream_ended"],
      [
        ["enqueue", "run-bash", "[1]", "-s", "work"],
        "POST",
        "/api/tasks",
        { stream: "work", tool_name: "run-bash", payload: [1] },
        "invalid",
      ],
    ];
    for (const [args, method, path, body, code] of cases) {
      const before = p.dump();
      const r = await p.run([...args, "--json"]);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      const cliError = jsonError(r);
      const a = await api(s, method, path, body);
      assert.ok(a.status >= 400, `${method} ${path}: ${a.status}`);
      assert.equal(cliError.code, code, args.join(" "));
      assert.equal(a.body.code, code, `${method} ${path}`);
      assert.equal(cliError.error, a.body.error, "the same message");
      assert.equal(p.dump(), before, "a refusal changes nothing");
      // Without --json: the human form.
      const human = await p.run(args);
      assert.match(human.stderr, /^Error: /);
    }
    // A usage error through --json: exit 2, code usage.
    const u = await p.run(["tasks", "--limit", "x", "--json"]);
    assert.equal(u.code, 2);
    assert.equal(jsonError(u).code, "usage");
    // Ending a stream through the API says what it strands, as the CLI does.
    const ended = await api(s, "POST", "/api/streams/work/end", {});
    assert.equal(ended.status, 200);
    assert.equal(ended.body.stranded, 1);
    assert.equal(ended.body.status, "ended");
  } finally {
    await s.stop();
    await p.cleanup();
  }
});

Deno.test("stream end says what it strands; requeue --stream moves a stranded task, linked both ways", async () => {
  const p = await project();
  try {
    await p.ok(["stream", "create", "other", "--session", "s1"]);
    await p.ok(["stream", "create", "scratch", "--session", "s1"]);
    const a = (await p.ok(["enqueue", "run-bash", '{"n":1}', "-s", "scratch"])).trim();
    await p.ok(["enqueue", "run-bash", '{"n":2}', "-s", "scratch"]);
    const ended = await p.ok(["stream", "end", "scratch"]);
    assert.match(ended, /^Ended stream scratch/);
    assert.match(ended, /2 queued tasks stranded/);
    assert.match(ended, /requeue <id> --stream OTHER/);

    // Without --stream: refused, nothing moves.
    let r = await p.run(["requeue", a, "--json"]);
    assert.equal(r.code, 1);
    assert.equal(jsonError(r).code, "stream_ended");
    // Into another ended stream: refused.
    await p.ok(["stream", "create", "gone", "--session", "s1"]);
    const goneJson = JSON.parse(await p.ok(["stream", "end", "gone", "--json"]));
    assert.equal(goneJson.stranded, 0);
    assert.equal(goneJson.status, "ended");
    r = await p.run(["requeue", a, "--stream", "gone"]);
    assert.equal(r.code, 1);

    const copy = (await p.ok(["requeue", a, "--stream", "other"])).trim();
    const original = JSON.parse(await p.ok(["task", a, "--json"]));
    assert.equal(original.status, "failed");
    assert.equal(original.error, `Moved to stream other as ${copy}`);
    assert.deepEqual(original.requeued_to, [copy]);
    const moved = JSON.parse(await p.ok(["task", copy, "--json"]));
    assert.equal(moved.status, "queued");
    assert.equal(moved.stream.name, "other");
    assert.equal(moved.requeued_from, a);
    assert.deepEqual(moved.payload, { n: 1 });
    assert.match(await p.ok(["task", copy]), new RegExp(`requeued from\\s+${a}`));
    assert.match(await p.ok(["task", a]), new RegExp(`requeued as\\s+${copy}`));
    // It is claimable in its new stream.
    assert.equal(JSON.parse(await p.ok(["claim", "--stream", "other"])).id, copy);
    // The moved original cannot be moved again (it is failed now: a plain requeue copy).
    const again = (await p.ok(["requeue", a, "--stream", "other"])).trim();
    assert.deepEqual(JSON.parse(await p.ok(["task", a, "--json"])).requeued_to, [copy, again]);

    // A queued task of an active stream is not requeued.
    const q = (await p.ok(["enqueue", "run-bash", "{}", "-s", "other"])).trim();
    r = await p.run(["requeue", q, "--stream", "work"]);
    assert.equal(r.code, 1);

    // Ending a session strands its streams' queued tasks too, and says so.
    await p.ok(["session", "create", "s2"]);
    await p.ok(["stream", "create", "later", "--session", "s2"]);
    await p.ok(["enqueue", "run-bash", "{}", "-s", "later"]);
    const s2 = await p.ok(["session", "end", "s2"]);
    assert.match(s2, /^Ended session s2 and 1 stream\n1 queued task stranded/);
    // s1: the copies queued in "other" and the task still stranded in "scratch".
    assert.equal(JSON.parse(await p.ok(["session", "end", "s1", "--json"])).stranded, 3);
  } finally {
    await p.cleanup();
  }
});

Deno.test("through the launcher: heartbeat, a kept late report, --json refusals, bounded listing", async () => {
  const p = await project({ launcher: await freshLauncher() });
  try {
    const id = await claimed(p, 1);
    const beat = JSON.parse(await p.ok(["heartbeat", id, "--note", "halfway"]));
    assert.equal(beat.id, id);
    age(p, id, 10);
    const r = await p.run(["complete", id, "--result", '{"summary":"late"}', "--json"]);
    assert.equal(r.code, 1);
    const e = jsonError(r);
    assert.equal(e.code, "auto_failed");
    assert.match(e.error, /late_report/);
    const t = JSON.parse(await p.ok(["task", id, "--json"]));
    assert.deepEqual(t.late_report.result, { summary: "late" });
    assert.equal(t.notes[0].note, "halfway");
    const listed = JSON.parse(await p.ok(["tasks", "--json"]));
    assert.equal("stdout" in listed[0], false);
    assert.equal(listed[0].stdout_bytes, 0);
    const again = await p.ok(["stream", "end", "work", "--json"]);
    assert.equal(JSON.parse(again).stranded, 0);
  } finally {
    await p.cleanup();
  }
});
