/**
 * Output of the queue commands: JSON shapes (the seed's column names, payload and
 * result parsed everywhere), large stdout/stderr stored intact or cut with a marker,
 * and terminal behaviour (colour for stale tasks, purge progress).
 */
import assert from "node:assert/strict";
import { sqlTaskId } from "./support/backend.ts";
import { type TempProject, tempProject } from "./helpers.ts";
import { sparkqOnTerminal } from "./support/process.ts";

const MiB = 1024 * 1024;
const ESC = "\x1b";

/** The seed's task columns, in table order. */
const COLUMNS = [
  "id",
  "stream_id",
  "tool_name",
  "task_class",
  "payload",
  "status",
  "timeout",
  "attempts",
  "result",
  "error",
  "stdout",
  "stderr",
  "created_at",
  "updated_at",
  "started_at",
  "finished_at",
  "auto_failed",
  "heartbeat_at",
  "notes",
  "late_report",
  "requeued_from",
];
/** A listing's columns: the outputs' sizes in place of the outputs (SPEC §12.1). */
const LIST_COLUMNS = COLUMNS.flatMap((c) =>
  c === "stdout" ? ["stdout_bytes"] : c === "stderr" ? ["stderr_bytes"] : [c]
);

async function project(): Promise<TempProject> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "auth", "--session", "s1", "-i", "Be careful"]);
  return p;
}

Deno.test("every JSON output uses the seed's columns with payload and result parsed", async () => {
  const p = await project();
  try {
    const payload = { cmd: "echo hi", nested: { list: [1, 2], ok: true } };
    const enq = JSON.parse(
      await p.ok(["enqueue", "run-bash", JSON.stringify(payload), "-s", "auth", "--json"]),
    );
    assert.deepEqual(Object.keys(enq), COLUMNS);
    assert.deepEqual(enq.payload, payload);

    const peeked = JSON.parse(await p.ok(["peek", "--stream", "auth"]));
    assert.deepEqual(Object.keys(peeked), COLUMNS);
    assert.deepEqual(peeked.payload, payload);

    const claimed = JSON.parse(await p.ok(["claim", "--stream", "auth"]));
    assert.deepEqual(Object.keys(claimed), [...COLUMNS, "stream", "project"]);
    assert.deepEqual(claimed.payload, payload);
    assert.deepEqual(Object.keys(claimed.stream), ["id", "name", "instructions"]);
    assert.equal(typeof claimed.timeout, "number");
    assert.equal(typeof claimed.attempts, "number");

    const result = { summary: "Echoed", lines: ["hi"], meta: { exit: 0 } };
    const done = JSON.parse(
      await p.ok(["complete", enq.id, "--result", JSON.stringify(result), "--json"]),
    );
    assert.deepEqual(Object.keys(done), COLUMNS);
    assert.deepEqual(done.result, result);
    assert.deepEqual(done.payload, payload);

    const listed = JSON.parse(await p.ok(["tasks", "--json"]));
    assert.ok(Array.isArray(listed), "a listing is a bare array");
    assert.deepEqual(Object.keys(listed[0]), [...LIST_COLUMNS, "stream_name", "stale"]);
    assert.deepEqual(listed[0].result, result);
    assert.deepEqual(listed[0].payload, payload);

    const detail = JSON.parse(await p.ok(["task", enq.id, "--json"]));
    assert.deepEqual(Object.keys(detail), [
      ...COLUMNS,
      "stream",
      "requeued_to",
      "stale",
      "stdout_omitted_bytes",
      "stderr_omitted_bytes",
    ]);
    assert.deepEqual(detail.result, result);
    assert.deepEqual(detail.stream, claimed.stream);

    const id2 = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
    await p.ok(["claim", "-s", "auth"]);
    const failed = JSON.parse(await p.ok(["fail", id2, "--error", "nope", "--json"]));
    assert.deepEqual(Object.keys(failed), COLUMNS);
    assert.equal(failed.result, null);
    assert.equal(failed.error, "nope");
    const requeued = JSON.parse(await p.ok(["requeue", id2, "--json"]));
    assert.deepEqual(Object.keys(requeued), COLUMNS);
    assert.deepEqual(requeued.payload, {});

    const tools = JSON.parse(await p.ok(["tools", "--json"]));
    assert.ok(Array.isArray(tools));
    assert.deepEqual(Object.keys(tools[0]), [
      "name",
      "description",
      "task_class",
      "timeout",
      "timeout_source",
    ]);
  } finally {
    await p.cleanup();
  }
});

Deno.test("a 5 MiB stdout is stored intact; a 20 MiB one keeps its first and last 4 MiB around a marker", async () => {
  const p = await project();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim());
      await p.ok(["claim", "-s", "auth"]);
    }
    // 5 MiB of varied text with multi-byte characters
    const unit = "line ✓ ünïcödé output 0123456789 ──\n";
    const five = unit.repeat(Math.ceil((5 * MiB) / new TextEncoder().encode(unit).length));
    await Deno.writeTextFile(`${p.dir}/five.txt`, five);
    await p.ok([
      "complete",
      ids[0],
      "--result",
      '{"summary":"big"}',
      "--stdout-file",
      "five.txt",
      "--stderr",
      "small",
    ]);
    const back = JSON.parse(await p.ok(["task", ids[0], "--json", "--full"]));
    assert.equal(back.stdout.length, five.length);
    assert.ok(back.stdout === five, "5 MiB stdout read back intact");
    assert.equal(back.stderr, "small");

    // 20 MiB of ASCII
    const twenty = "abcdefghijklmnopqrstuvwxyz012345".repeat((20 * MiB) / 32);
    await Deno.writeTextFile(`${p.dir}/twenty.txt`, twenty);
    await p.ok([
      "complete",
      ids[1],
      "--result",
      '{"summary":"huge"}',
      "--stdout-file",
      "twenty.txt",
    ]);
    const cut = JSON.parse(await p.ok(["task", ids[1], "--json", "--full"])).stdout as string;
    const m = /\n\[… truncated (\d+) bytes\]\n/.exec(cut);
    assert.ok(m, `no truncation marker: ${JSON.stringify(cut.slice(4 * MiB - 40, 4 * MiB + 80))}`);
    const head = cut.slice(0, m.index);
    const tail = cut.slice(m.index + m[0].length);
    assert.equal(
      head.length + Number(m[1]) + tail.length,
      20 * MiB,
      "kept + truncated = the whole",
    );
    assert.ok(twenty.startsWith(head), "the start of the output is kept");
    assert.ok(twenty.endsWith(tail), "the end of the output is kept");
    assert.equal(head.length, 4 * MiB);
    assert.equal(tail.length, 4 * MiB);

    // large stderr through stdin on fail
    const six = "e".repeat(6 * MiB);
    await p.ok(["fail", ids[2], "--error", "crashed", "--stderr-file", "-"], { stdin: six });
    const row = p.query("SELECT length(stderr) AS n, error FROM tasks WHERE id = ?", ids[2]);
    assert.deepEqual(row[0], { n: 6 * MiB, error: "crashed" });
  } finally {
    await p.cleanup();
  }
});

/** Runs `sparkq <args>` on a pseudo-terminal (util-linux `script`); returns what it showed. */
function onTty(p: TempProject, args: string[]): Promise<{ code: number; out: string }> {
  return sparkqOnTerminal(args, {
    cwd: p.dir,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    launcher: p.launcher,
  });
}

Deno.test("on a terminal: stale tasks in yellow, purge shows progress; NO_COLOR is honoured", async () => {
  const p = await project();
  try {
    const id = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
    await p.ok(["claim", "-s", "auth"]);
    const old = new Date(Date.now() - 10 * 864e5).toISOString();
    const stale = new Date(Date.now() - 400_000).toISOString();
    p.exec("UPDATE tasks SET started_at = ? WHERE id = ?", stale, id);
    // 25,000 old finished tasks (most of the table: SQLite's purge rebuilds it in one step)
    const streamId = p.query("SELECT id FROM streams")[0].id as string;
    p.exec(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout,
         attempts, result, created_at, updated_at, started_at, finished_at)
       SELECT ${sqlTaskId("i")}, ?, 'run-bash', 'MEDIUM_SCRIPT', '{}', 'succeeded', 300, 1,
         '{"summary":"old"}', ?, ?, ?, ? FROM n`,
      streamId,
      old,
      old,
      old,
      old,
    );

    const tasks = await onTty(p, ["tasks", "--status", "running"]);
    assert.equal(tasks.code, 0, tasks.out);
    assert.ok(tasks.out.includes(`${ESC}[33mrunning STALE${ESC}[0m`), "stale in yellow");
    assert.ok(tasks.out.includes(`${ESC}[1mID`), "bold header");
    const plain = await p.ok(["tasks", "--status", "running"]); // NO_COLOR=1, piped
    assert.ok(!plain.includes(ESC), "no colour codes");
    assert.match(plain, /running STALE/);

    const purge = await onTty(p, ["purge", "--older-than", "1w"]);
    assert.equal(purge.code, 0, purge.out);
    assert.match(purge.out, /\rPurging… 25000 deleted/, "progress while purging");
    assert.match(purge.out, /Purged 25000 tasks finished more than 1w ago/);
    assert.deepEqual(p.query("SELECT id, status FROM tasks"), [{ id, status: "running" }]);
  } finally {
    await p.cleanup();
  }
});
