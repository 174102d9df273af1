/**
 * A worker killed (SIGKILL) mid-task: its task is auto-failed after 2x its timeout with
 * SPEC §5's message, and the next task is served to a restarted worker.
 */
import assert from "node:assert/strict";
import { query, tempProject } from "./helpers.ts";
import { exists, FIXTURES, shell, startWatcher, until, workerEnv } from "./fixtures/worker_lib.ts";

const AUTO_FAILED =
  "Auto-failed: task exceeded 2x timeout (2s) with no complete/fail reported. Likely worker crash or disconnect.";

Deno.test("a worker SIGKILLed mid-task: auto-fail at 2x timeout, next task served after restart", async () => {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "crash", "--session", "s1"]);
  const env = await workerEnv(p);
  const watcher = await startWatcher(p, "crash");
  const marker = `${p.dir}/slow-started`;
  let worker = shell(p, env, `${FIXTURES}/worker_loop.sh`, ["crash"]);
  try {
    const slow = (await p.ok([
      "enqueue",
      "run-bash",
      JSON.stringify({ script: "scripts/slow.sh", args: [marker] }),
      "--stream",
      "crash",
      "--timeout",
      "1",
    ])).trim();
    await until(() => exists(marker), "the slow task to start");
    await worker.killGroup(); // the agent and its task die at once

    const next = (await p.ok([
      "enqueue",
      "run-bash",
      '{"script": "scripts/ok.sh", "args": ["after-crash"]}',
      "--stream",
      "crash",
    ])).trim();
    worker = shell(p, env, `${FIXTURES}/worker_loop.sh`, ["crash"]);
    await until(
      async () => JSON.parse(await p.ok(["task", next, "--json"])).status === "succeeded",
      "the restarted worker to serve the next task",
    );
    await until(
      async () => JSON.parse(await p.ok(["task", slow, "--json"])).status === "failed",
      "the dead task to be auto-failed",
    );

    const [dead] = query(p.db, "SELECT * FROM tasks WHERE id = ?", slow);
    assert.equal(dead.error, AUTO_FAILED);
    assert.equal(dead.attempts, 1);
    const ran = Date.parse(String(dead.finished_at)) - Date.parse(String(dead.started_at));
    assert.ok(ran >= 2000, `auto-failed only after 2x the 1 s timeout (was ${ran} ms)`);
    const [served] = query(p.db, "SELECT * FROM tasks WHERE id = ?", next);
    assert.equal(served.stdout, "task after-crash ran\nstdout of after-crash line 2\n");
    assert.equal(
      query(p.db, "SELECT count(*) AS n FROM tasks WHERE status IN ('queued','running')")[0].n,
      0,
    );

    // A late report from the crashed worker is refused; the auto-fail stands.
    const late = await p.run(["complete", slow, "--result", '{"summary":"late"}']);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /auto-failed/);
    assert.equal(query(p.db, "SELECT status FROM tasks WHERE id = ?", slow)[0].status, "failed");
    // Recovery per the playbook: requeue the auto-failed task; the worker runs it again.
    Deno.removeSync(marker);
    const again = (await p.ok(["requeue", slow])).trim();
    await until(() => exists(marker), "the requeued task to start");
    assert.equal(JSON.parse(await p.ok(["task", again, "--json"])).status, "running");
  } finally {
    await worker.killGroup();
    watcher.child.kill("SIGTERM");
    await watcher.finish();
    await p.cleanup();
  }
});
