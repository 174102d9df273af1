/**
 * End to end: a shell worker that follows WORKER_PLAYBOOK.md literally (done flag,
 * FIFO, claim, run the payload's script, complete/fail with --stdout-file) serves a
 * stream while another process enqueues 20 tasks over time, one of them failing.
 */
import assert from "node:assert/strict";
import { tempProject } from "./helpers.ts";
import { FIXTURES, shell, startWatcher, until, workerEnv } from "./fixtures/worker_lib.ts";

const ENQUEUER = `
set -eu
for i in $(seq 1 20); do
  case $i in
    7) sparkq enqueue run-bash '{"script": "scripts/broken.sh", "args": ["7"]}' --stream build ;;
    11) sparkq enqueue run-bash '{"command": "echo inline 11; echo warn 11 >&2"}' --stream build ;;
    15) sparkq enqueue run-python '{"code": "print(\\"py\\", 6 * 7)"}' --stream build ;;
    *) sparkq enqueue run-bash "{\\"script\\": \\"scripts/ok.sh\\", \\"args\\": [\\"$i\\"]}" --stream build ;;
  esac
  sleep "0.$((RANDOM % 4))"
done
`;

Deno.test("a playbook worker serves 20 tasks enqueued over time: 19 succeed, 1 fails", async () => {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "build", "--session", "s1", "-i", "Run the scripts."]);
  const env = await workerEnv(p);
  const watcher = await startWatcher(p, "build");
  const worker = shell(p, env, `${FIXTURES}/worker_loop.sh`, ["build"]);
  try {
    await Deno.writeTextFile(`${p.dir}/enqueue.sh`, ENQUEUER);
    const enq = shell(p, env, `${p.dir}/enqueue.sh`);
    const enqStatus = await enq.child.status;
    await enq.out.done;
    assert.equal(enqStatus.code, 0, enq.err.text());
    const ids = enq.out.text().trim().split("\n");
    assert.equal(ids.length, 20);

    await until(
      () => p.query("SELECT 1 FROM tasks WHERE status IN ('queued','running')").length === 0,
      "the worker to finish every task",
      90_000,
    );
    const rows = p.query("SELECT * FROM tasks ORDER BY created_at, rowid");
    assert.deepEqual(rows.map((r) => r.id), ids, "every enqueued task, in order");
    const failed = rows.filter((r) => r.status === "failed");
    const ok = rows.filter((r) => r.status === "succeeded");
    assert.equal(ok.length, 19);
    assert.equal(failed.length, 1);

    assert.equal(failed[0].id, ids[6]);
    assert.match(String(failed[0].error), /scripts\/broken\.sh exited with code 3: boom: 7/);
    assert.equal(failed[0].stderr, "boom: 7 cannot continue\n");
    assert.equal(failed[0].stdout, "starting 7\n");

    for (const r of ok) {
      assert.equal(r.attempts, 1);
      const result = JSON.parse(String(r.result));
      assert.match(result.summary, /exit 0/);
      assert.equal(result.exit_code, 0);
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(byId.get(ids[0])!.stdout, "task 1 ran\nstdout of 1 line 2\n");
    assert.equal(byId.get(ids[0])!.stderr, "a note on stderr for 1\n");
    assert.equal(byId.get(ids[10])!.stdout, "inline 11\n");
    assert.equal(byId.get(ids[10])!.stderr, "warn 11\n");
    assert.equal(byId.get(ids[14])!.stdout, "py 42\n");

    // Stopping the watcher ends the worker's loop cleanly (EOF on the FIFO).
    assert.match(await p.ok(["stop", "--stream", "build"]), /Stopped the watcher/);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ws = await Promise.race([
      worker.child.status,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the worker did not exit")), 30_000);
      }),
    ]).finally(() => clearTimeout(timer));
    await worker.err.done;
    assert.equal(ws.code, 0);
    assert.match(worker.err.text(), /the watcher of build stopped/);
    assert.equal((await watcher.finish()).code, 0);
  } finally {
    await worker.killGroup();
    watcher.kill();
    await p.cleanup();
  }
});
