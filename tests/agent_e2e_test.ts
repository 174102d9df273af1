/**
 * The worker contract end to end (SPEC §12.1, issue 11): the reference worker of
 * WORKER_PLAYBOOK.md (tests/fixtures/worker_loop.sh, loop A: `sparkq wait` with a time
 * limit) works a stream as an agent following the playbook literally — in the claimed
 * task's project.repo_path, heartbeating with notes while a script runs, reporting with
 * --summary and output files, acting on refusal codes. The stream holds a long task kept
 * alive by heartbeats (timeout 2 s, work 5 s, a heartbeat every 0.8 s), a failing task, a
 * task whose worker goes silent (the whole worker is stopped with SIGSTOP, as when a
 * laptop sleeps) until it is auto-failed and then reports late, and a task after it.
 * Through the source and a freshly built launcher.
 */
import assert from "node:assert/strict";
import { freshLauncher, type TempProject, tempProject } from "./helpers.ts";
import { exists, FIXTURES, shell, until, workerEnv } from "./fixtures/worker_lib.ts";
import { run, writeSparkqShim } from "./support/process.ts";

/** Sends a signal to a whole process group (the worker, its heartbeats and its script). */
async function signalGroup(pgid: number, signal: "STOP" | "CONT"): Promise<void> {
  const out = await run("kill", [`-${signal}`, "--", `-${pgid}`]);
  assert.equal(out.code, 0, out.stderr);
}

/** Points the project's `sparkq` shim at a launcher (the workers call `sparkq …`). */
async function launcherShim(p: TempProject, launcher: string): Promise<void> {
  await writeSparkqShim(`${p.dir}/bin/sparkq`, { launcher });
}

async function task(p: TempProject, id: string) {
  return JSON.parse(await p.ok(["task", id, "--json"]));
}

for (const via of ["source", "launcher"] as const) {
  Deno.test(`a scripted agent follows the playbook: heartbeats past 2x the timeout, a failure, a late report (${via})`, async () => {
    const launcher = via === "launcher" ? await freshLauncher() : undefined;
    const p = await tempProject([], { launcher });
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "contract", "--session", "s1", "-i", "Run the scripts."]);
    const env = await workerEnv(p);
    if (launcher) await launcherShim(p, launcher);
    const marker = `${p.dir}/late-started`;
    const enqueue = async (payload: unknown, timeout?: number) =>
      (await p.ok([
        "enqueue",
        "run-bash",
        JSON.stringify(payload),
        "--stream",
        "contract",
        ...(timeout ? ["--timeout", String(timeout)] : []),
      ])).trim();

    const long = await enqueue(
      { command: "for i in 1 2 3 4 5; do echo step $i; sleep 1; done" },
      2,
    );
    const failing = await enqueue({ script: "scripts/broken.sh", args: ["2"] });
    const late = await enqueue({ command: `touch '${marker}'; sleep 1.5; echo released` }, 1);
    const after = await enqueue({ script: "scripts/ok.sh", args: ["4"] });

    const worker = shell(p, env, `${FIXTURES}/worker_loop.sh`, ["contract", "wait"]);
    try {
      // The silent worker: once the late task's script runs, stop everything (worker,
      // heartbeats, script) until SparkQ has auto-failed the task, then let it go on.
      await until(() => exists(marker), "the late task to start", 60_000);
      await signalGroup(worker.child.pid, "STOP");
      try {
        await until(async () => (await task(p, late)).status === "failed", "the auto-fail", 30_000);
      } finally {
        await signalGroup(worker.child.pid, "CONT");
      }
      await until(
        async () => (await task(p, after)).status === "succeeded",
        "the worker to go on after the late report",
        60_000,
      );
      // Ending the stream ends the loop: `wait` answers stream_ended, a normal stop.
      await p.ok(["stream", "end", "contract"]);
      const status = await worker.child.status;
      await worker.err.done;
      assert.equal(status.code, 0, worker.err.text());

      // The long task: alive past 2x its timeout on heartbeats, with its progress notes.
      const l = await task(p, long);
      assert.equal(l.status, "succeeded");
      assert.equal(l.auto_failed, false);
      assert.equal(l.attempts, 1);
      const ran = Date.parse(l.finished_at) - Date.parse(l.started_at);
      assert.ok(ran >= 5000 && ran > 2 * 2 * 1000, `ran ${ran} ms, past 2x the 2 s timeout`);
      assert.ok(l.notes.length >= 4, `a heartbeat every 0.8 s: ${l.notes.length} notes`);
      for (const n of l.notes) assert.match(n.note, /^running the inline command: \d+ s$/);
      assert.equal(l.heartbeat_at, l.notes[l.notes.length - 1].at);
      assert.match(l.result.summary, /^Ran the inline command: exit 0, 5 lines of output\.$/);
      assert.equal(l.result.exit_code, 0);
      assert.equal(l.stdout, "step 1\nstep 2\nstep 3\nstep 4\nstep 5\n");

      // The failing task: failed by the worker, with its error, facts and stderr.
      const f = await task(p, failing);
      assert.equal(f.status, "failed");
      assert.equal(f.auto_failed, false);
      assert.match(f.error, /^scripts\/broken\.sh exited with code 3: boom: 2 cannot continue$/);
      assert.deepEqual(f.result, { exit_code: 3 });
      assert.equal(f.stderr, "boom: 2 cannot continue\n");

      // The late task: the auto-fail stands, the report it carried is kept.
      const t = await task(p, late);
      assert.equal(t.status, "failed");
      assert.equal(t.auto_failed, true);
      assert.match(t.error, /^Auto-failed: task exceeded 2x timeout \(2s\)/);
      assert.equal(t.result, null);
      assert.equal(t.late_report.outcome, "succeeded");
      assert.match(t.late_report.result.summary, /^Ran the inline command: exit 0/);
      assert.equal(t.late_report.stdout, "released\n");
      assert.ok(t.late_report.at > t.finished_at, "the report came after the auto-fail");
      // The worker read the task after the refusal (auto_failed) and moved on.
      assert.match(worker.err.text(), new RegExp(`task ${late} is failed; moving on`));

      const a = await task(p, after);
      assert.equal(a.stdout, "task 4 ran\nstdout of 4 line 2\n");
      assert.equal(
        p.query("SELECT COUNT(*) AS n FROM tasks WHERE status IN ('queued','running')")[0].n,
        0,
      );
    } finally {
      await worker.killGroup();
      await p.cleanup();
    }
  });
}
