/**
 * Crash safety: CLI processes SIGKILLed at random points of enqueue, claim and
 * complete (200 kills, four at a time) leave a sound database: `PRAGMA
 * integrity_check` is ok, every enqueue that printed its ID has its task, every task
 * is in exactly one consistent state, every printed claim and successful complete
 * is recorded, and the CLI keeps working afterwards.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { query, type TempProject, tempProject } from "./helpers.ts";
import { spawnSparkq } from "./support/process.ts";

const KILLS = 200;
const PARALLEL = 4;
type Op = "enqueue" | "claim" | "complete";

interface Outcome {
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI; SIGKILLs it after `killAfterMs` if it is still running. */
async function runCli(
  p: TempProject,
  args: string[],
  killAfterMs?: number,
  stdin?: string,
): Promise<Outcome> {
  const start = performance.now();
  const proc = spawnSparkq(args, {
    cwd: p.dir,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    stdin, // the process may be killed before it reads everything
    launcher: p.launcher,
  });
  let killed = false;
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => {
    try {
      proc.child.kill("SIGKILL");
      killed = true;
    } catch { /* it has exited */ }
  }, killAfterMs);
  const end = await proc.done();
  clearTimeout(timer);
  return {
    code: end.code,
    killed: killed && end.signal === "SIGKILL",
    stdout: proc.stdout(),
    stderr: proc.stderr(),
    ms: performance.now() - start,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

Deno.test(`${KILLS} CLI processes SIGKILLed in enqueue/claim/complete leave a sound database`, async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "crash"]);
    await p.ok(["stream", "create", "s", "--session", "crash"]);
    const big = `${p.dir}/stdout.txt`;
    await Deno.writeTextFile(big, "o".repeat(2 << 20));
    const enqueued = new Set<string>(); // IDs printed by enqueue
    const claimed = new Set<string>(); // IDs printed by claim
    const completed = new Set<string>(); // complete exited 0
    const running: string[] = []; // claimed, not yet completed by anyone
    let n = 0;
    const argsFor = (op: Op, id?: string) =>
      op === "enqueue"
        ? ["enqueue", "run-bash", "-", "--stream", "s"]
        : op === "claim"
        ? ["claim", "--stream", "s"]
        : [
          "complete",
          id!,
          "--result",
          JSON.stringify({ summary: `done ${id}` }),
          "--stdout-file",
          big,
        ];
    // Large payloads and outputs make the write transactions last long enough to be hit.
    const payload = () => JSON.stringify({ n: n++, pad: "p".repeat(512 << 10) });
    const record = (op: Op, o: Outcome, id?: string) => {
      if (op === "enqueue") {
        const m = o.stdout.match(/^(tsk_[0-9a-f]{12})\n$/);
        if (m) enqueued.add(m[1]);
        if (o.code === 0) assert.ok(m, `enqueue exited 0 without printing an ID: ${o.stdout}`);
      } else if (op === "claim") {
        if (o.stdout.trim() === "") return;
        let task: { id: string } | undefined;
        try {
          task = JSON.parse(o.stdout);
        } catch {
          assert.ok(o.killed, `claim printed broken JSON without being killed: ${o.stdout}`);
        }
        if (task) {
          claimed.add(task.id);
          running.push(task.id);
        }
      } else if (o.code === 0) {
        completed.add(id!);
      } else if (!o.killed) {
        // A complete may only fail because an earlier killed complete got there first.
        assert.match(o.stderr, /^Error: .*(succeeded|not running)/, o.stderr);
      }
    };

    // Typical durations, from unkilled runs (these also seed the queue).
    const durations: Record<Op, number[]> = { enqueue: [], claim: [], complete: [] };
    for (let i = 0; i < 3; i++) {
      for (const op of ["enqueue", "enqueue", "claim", "complete"] as Op[]) {
        const id = op === "complete" ? running.shift() : undefined;
        const o = await runCli(
          p,
          argsFor(op, id),
          undefined,
          op === "enqueue" ? payload() : undefined,
        );
        assert.equal(o.code, 0, o.stderr);
        record(op, o, id);
        durations[op].push(o.ms);
      }
    }
    const typical = {
      enqueue: median(durations.enqueue),
      claim: median(durations.claim),
      complete: median(durations.complete),
    };

    const aim: Record<Op, number> = { enqueue: 1, claim: 1, complete: 1 };
    let kills = 0;
    let started = 0;
    let target = KILLS;
    const ops: Op[] = ["enqueue", "enqueue", "claim", "complete"];
    const worker = async () => {
      while (kills < target && started < target * 4) {
        let op = ops[started++ % ops.length];
        const id = op === "complete" ? running.shift() : undefined;
        if (op === "complete" && !id) op = "enqueue";
        // Kill around the end of the process's life, where its database work is: the
        // aim follows the load (later after a kill, earlier after a survival), so about
        // half the processes die, at points spread over their last stretch.
        const at = typical[op] * aim[op] * (0.75 + Math.random() * 0.5);
        const o = await runCli(p, argsFor(op, id), at, op === "enqueue" ? payload() : undefined);
        aim[op] *= o.killed ? 1.04 : 0.96;
        if (o.killed) kills++;
        else assert.ok(o.code !== null, `exited by a signal it was not sent: ${o.stderr}`);
        record(op, o, id);
        // A complete killed before committing leaves the task running: retry it later.
        if (op === "complete" && o.killed && id) running.push(id);
      }
    };
    /** Tasks enqueued or claimed by a process killed after its commit, before it printed. */
    const silent = () =>
      query(p.db, "SELECT id, status FROM tasks").filter((t) =>
        !enqueued.has(t.id as string) || (t.status !== "queued" && !claimed.has(t.id as string))
      ).length;
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    // That window is a few milliseconds wide: make sure it was hit at least once.
    for (let extra = 0; extra < 4 && silent() === 0; extra++) {
      target += 50;
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    }
    console.log(
      `${kills} of ${started} processes killed; ${enqueued.size} enqueued, ${claimed.size} ` +
        `claimed, ${completed.size} completed (as printed); ${silent()} task(s) enqueued or ` +
        "claimed by a process killed between its commit and its output",
    );
    assert.ok(kills >= KILLS, `only ${kills} of ${started} processes could be killed mid-run`);
    assert.ok(silent() > 0, "no kill landed between a commit and its output");

    // 1. The file is sound.
    const db = new DatabaseSync(p.db);
    try {
      const check = db.prepare("PRAGMA integrity_check").all().map((r) => r.integrity_check);
      assert.deepEqual(check, ["ok"]);
      assert.deepEqual(
        db.prepare("PRAGMA foreign_key_check").all(),
        [],
        "no task points at a missing stream",
      );
    } finally {
      db.close();
    }

    // 2. Every task is in exactly one state, with the columns that state implies.
    const tasks = query(p.db, "SELECT * FROM tasks");
    assert.ok(tasks.every((t) => t.stdout === null || (t.stdout as string).length === 2 << 20));
    const byId = new Map(tasks.map((t) => [t.id as string, t]));
    assert.equal(byId.size, tasks.length);
    for (const t of tasks) {
      const { payload: _p, stdout: _o, ...rest } = t;
      const where = JSON.stringify(rest);
      switch (t.status) {
        case "queued":
          assert.ok(t.started_at === null && t.finished_at === null && t.attempts === 0, where);
          assert.ok(t.result === null && t.error === null, where);
          break;
        case "running":
          assert.ok(t.started_at !== null && t.finished_at === null, where);
          assert.ok((t.attempts as number) >= 1 && t.result === null && t.error === null, where);
          break;
        case "succeeded":
          assert.ok(t.started_at !== null && t.finished_at !== null && t.error === null, where);
          assert.match(JSON.parse(t.result as string).summary, /^done tsk_/, where);
          break;
        case "failed":
          assert.ok(t.finished_at !== null && typeof t.error === "string" && t.error, where);
          break;
        default:
          assert.fail(`task in no known state: ${where}`);
      }
      assert.deepEqual(Object.keys(JSON.parse(t.payload as string)), ["n", "pad"], t.id as string);
    }

    // 3. Nothing a caller was told about is lost.
    for (const id of enqueued) assert.ok(byId.has(id), `enqueued ${id} is missing`);
    for (const id of claimed) {
      assert.notEqual(byId.get(id)?.status, "queued", `claimed ${id} is queued again`);
    }
    for (const id of completed) assert.equal(byId.get(id)?.status, "succeeded", id);
    assert.ok(enqueued.size > 20 && claimed.size > 5, "the run did real work");

    // 4. No lock or half-written state is left behind: the CLI works normally.
    const id = (await p.ok(["enqueue", "run-bash", '{"n":-1,"pad":""}', "--stream", "s"])).trim();
    const listed = JSON.parse(await p.ok(["tasks", "--json", "--limit", "1000"]));
    assert.ok(listed.some((t: { id: string }) => t.id === id));
    const oldest = query(
      p.db,
      "SELECT id FROM tasks WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1",
    )[0].id;
    assert.equal(JSON.parse(await p.ok(["claim", "--stream", "s"])).id, oldest, "FIFO intact");
  } finally {
    await p.cleanup();
  }
});
