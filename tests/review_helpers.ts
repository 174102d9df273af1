/**
 * A session for the review tests (report, follow, the OUTCOME column): a task of every
 * kind, made through the real CLI, with run times set to known values afterwards.
 */
import assert from "node:assert/strict";
import { type TempProject, tempProject } from "./helpers.ts";

/** The tasks of the review session, by role. */
export interface ReviewSession {
  p: TempProject;
  /** Succeeded in exactly 90 s (auth). */
  ok: string;
  /** Failed with 30 lines of stderr (auth), then requeued as `copy`. */
  failed: string;
  /** The queued copy of `failed` (auth). */
  copy: string;
  /** Auto-failed, then its complete kept as a late report (auth). */
  auto: string;
  /** Still queued (auth). */
  queued: string;
  /** Running with a progress note (docs). */
  running: string;
}

/** Hostile text in the failed task's stderr and error: must be shown, never run. */
export const HOSTILE = "<script>alert('x')</script>";

async function claimNext(p: TempProject, stream: string): Promise<string> {
  return JSON.parse(await p.ok(["claim", stream])).id;
}

/** Builds the review session ("api": streams auth and docs) in a new project. */
export async function reviewSession(opts: { launcher?: string } = {}): Promise<ReviewSession> {
  const p = await tempProject([], { launcher: opts.launcher });
  await p.ok(["session", "create", "api", "-d", "Build the API"]);
  await p.ok(["stream", "create", "auth", "-s", "api", "-i", "Implement login.\nRun the tests."]);
  await p.ok(["stream", "create", "docs", "-s", "api"]);
  const enqueue = async (stream: string, n: number) =>
    (await p.ok(["enqueue", "run-bash", `{"cmd":"step ${n}"}`, "--stream", stream])).trim();
  const ok = await enqueue("auth", 1);
  const failed = await enqueue("auth", 2);
  const auto = await enqueue("auth", 3);
  const queued = await enqueue("auth", 4);
  const running = await enqueue("docs", 5);

  assert.equal(await claimNext(p, "auth"), ok);
  await p.ok(["heartbeat", ok, "--note", "compiling"]);
  await p.ok(["complete", ok, "--summary", "Built the login form; 42 tests pass"]);
  const t0 = Date.parse("2026-11-30T10:00:00Z");
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  const times = "UPDATE tasks SET created_at = ?, started_at = ?, finished_at = ? WHERE id = ?";
  p.exec(times, iso(-5), iso(0), iso(90), ok);

  assert.equal(await claimNext(p, "auth"), failed);
  const stderr = Array.from({ length: 30 }, (_, i) => `stderr line ${i + 1}`);
  stderr[28] = `${HOSTILE} \x1b[31mred\x1b[0m`;
  await p.ok([
    "fail",
    failed,
    "--error",
    `tests failed: ${HOSTILE}`,
    "--stderr",
    stderr.join("\n") + "\n",
  ]);
  p.exec(times, iso(-4), iso(100), iso(112), failed);
  const copy = (await p.ok(["requeue", failed])).trim().split(/\s+/).find((w) =>
    w.startsWith("tsk_")
  )!;

  assert.equal(await claimNext(p, "auth"), auto);
  const past = new Date(Date.now() - 3600_000).toISOString();
  p.exec("UPDATE tasks SET started_at = ? WHERE id = ?", past, auto);
  await p.ok(["tasks"]); // the auto-fail rule applies
  const late = await p.run(["complete", auto, "--summary", "finished late after all"]);
  assert.equal(late.code, 1, late.stderr);

  assert.equal(await claimNext(p, "docs"), running);
  await p.ok(["heartbeat", running, "--note", "writing the guide"]);
  return { p, ok, failed, copy, auto, queued, running };
}
