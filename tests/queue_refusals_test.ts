/**
 * Every refusal of the worker-protocol commands: non-zero exit, a clear `Error: …`,
 * no stack trace, and the database left exactly as it was (assertRefused).
 */
import assert from "node:assert/strict";
import { assertRefused, type TempProject, tempProject } from "./helpers.ts";

async function project(): Promise<TempProject> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "auth", "--session", "s1"]);
  await p.ok(["stream", "create", "docs", "--session", "s1"]);
  await p.ok(["stream", "create", "old", "--session", "s1"]);
  return p;
}

Deno.test("enqueue refuses bad tools, streams and payloads", async () => {
  const p = await project();
  try {
    const queuedInOld = (await p.ok(["enqueue", "run-bash", "{}", "-s", "old"])).trim();
    await p.ok(["stream", "end", "old"]);

    await assertRefused(
      p,
      ["enqueue", "run-bsh", "{}", "--stream", "auth"],
      /^Error: unknown tool 'run-bsh'\ndid you mean 'run-bash'\?/,
    );
    await assertRefused(
      p,
      ["enqueue", "gpt-9", "{}", "--stream", "auth"],
      /unknown tool 'gpt-9'\nregistered tools: run-bash, run-bash-fast/,
    );
    await assertRefused(
      p,
      ["enqueue", "run-bash", "{}", "--stream", "auht"],
      /^Error: no stream named 'auht'\ndid you mean 'auth'\?/,
    );
    await assertRefused(p, ["enqueue", "run-bash", "{}", "--stream", "zzzzzz"], /no stream named/);
    await assertRefused(
      p,
      ["enqueue", "run-bash", "{}", "--stream", "old"],
      /^Error: stream 'old' is ended: it takes no new tasks/,
    );
    await assertRefused(
      p,
      ["enqueue", "run-bash", "{cmd: ls}", "--stream", "auth"],
      /^Error: payload is not valid JSON \(.*\): "\{cmd: ls\}"/,
    );
    await assertRefused(
      p,
      ["enqueue", "run-bash", "", "--stream", "auth"],
      /payload is not valid JSON/,
    );
    for (const [bad, kind] of [["[1,2]", "an array"], ["null", "null"], ['"ls"', "a string"]]) {
      await assertRefused(
        p,
        ["enqueue", "run-bash", bad, "--stream", "auth"],
        new RegExp(`^Error: payload must be a JSON object, got ${kind}`),
      );
    }
    await assertRefused(
      p,
      ["enqueue", "run-bash", "42", "--stream", "auth"],
      /payload must be a JSON object, got a number/,
    );
    await assertRefused(
      p,
      ["enqueue", "run-bash", "-", "--stream", "auth"],
      /payload is not valid JSON/,
      1,
      { stdin: "not json" },
    );
    await assertRefused(p, ["enqueue", "run-bash", "{}"], /^Error: --stream is required/, 2);
    await assertRefused(p, ["enqueue", "run-bash"], /missing argument <payload>/, 2);
    await assertRefused(
      p,
      ["enqueue", "run-bash", "{}", "-s", "auth", "--timeout", "0"],
      /--timeout must be a positive whole number \(got '0'\)/,
      2,
    );
    await assertRefused(
      p,
      ["enqueue", "run-bash", "{}", "-s", "auth", "--timeout", "soon"],
      /--timeout must be a positive whole number/,
      2,
    );
    // the ended stream's queued task is never claimed
    await assertRefused(
      p,
      ["claim", "--stream", "old"],
      /^Error: stream 'old' is ended: its tasks are never claimed/,
    );
    assert.equal(
      p.query("SELECT status FROM tasks WHERE id = ?", queuedInOld)[0].status,
      "queued",
    );
    assert.equal(await p.ok(["peek", "--stream", "old"]), "");
    await assertRefused(p, ["claim", "--stream", "nope"], /no stream named 'nope'/);
    await assertRefused(p, ["peek", "--stream", "nope"], /no stream named 'nope'/);
    await assertRefused(p, ["peek"], /--stream is required/, 2);
    assert.equal(p.query("SELECT COUNT(*) AS n FROM tasks")[0].n, 1);
  } finally {
    await p.cleanup();
  }
});

Deno.test("claim without --stream lists the streams with work and claims nothing", async () => {
  const p = await project();
  try {
    await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"]);
    await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"]);
    await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"]);
    const r = await assertRefused(p, ["claim"], /^Error: --stream is required\n/, 1);
    assert.equal(
      r.stderr,
      "Error: --stream is required\n" +
        "streams with queued tasks:\n  auth (2 queued)\n  docs (1 queued)\n" +
        "usage: sparkq claim [<stream>|--stream NAME] [flags]\n",
    );
    assert.equal(r.stdout, "");
    await p.ok(["claim", "-s", "docs"]);
    const r2 = await assertRefused(p, ["claim", "--stream="], /--stream is required/, 1);
    assert.doesNotMatch(r2.stderr, /docs/);
    assert.match(r2.stderr, /auth \(2 queued\)/);
    await p.ok(["claim", "-s", "auth"]);
    await p.ok(["claim", "-s", "auth"]);
    const r3 = await assertRefused(p, ["claim"], /--stream is required/, 1);
    assert.match(
      r3.stderr,
      /no stream has queued tasks\nusage: sparkq claim \[<stream>\|--stream NAME\] \[flags\]\n$/,
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("complete and fail refuse bad results and tasks that are not running", async () => {
  const p = await project();
  try {
    const queued = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
    const running = (await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"])).trim();
    await p.ok(["claim", "-s", "docs"]);
    const ok = '{"summary":"done"}';

    const refuse = (args: string[], pattern: RegExp, code = 1, stdin?: string) =>
      assertRefused(p, args, pattern, code, stdin === undefined ? {} : { stdin });

    // the result
    await refuse(["complete", running, "--result", '{"files": 3}'], /result has no "summary"/);
    await refuse(
      ["complete", running, "--result", '{"summary": 7}'],
      /result "summary" must be a string, got number/,
    );
    await refuse(
      ["complete", running, "--result", '{"summary": null}'],
      /result "summary" must be a string, got object/,
    );
    await refuse(
      ["complete", running, "--result", '{"summary": ""}'],
      /result "summary" must not be empty/,
    );
    await refuse(
      ["complete", running, "--result", '{"summary": "   "}'],
      /result "summary" must not be empty/,
    );
    await refuse(
      ["complete", running, "--result", "summary: done"],
      /^Error: result is not valid JSON/,
    );
    await refuse(
      ["complete", running, "--result", '["summary"]'],
      /result must be a JSON object, got an array/,
    );
    await refuse(
      ["complete", running, "--result-file", "-"],
      /result is not valid JSON/,
      1,
      "{oops",
    );
    await refuse(
      ["complete", running, "--result-file", "missing.json"],
      /cannot read result from .*missing\.json: no such file/,
    );
    await refuse(
      ["complete", running, "--result", ok, "--stdout-file", "nope.txt"],
      /cannot read stdout from .*nope\.txt: no such file/,
    );
    // usage mistakes: exit 2
    await refuse(
      ["complete", running],
      /--result \(or --result-file or --summary\) is required\nusage: sparkq complete <id> /,
      2,
    );
    await refuse(
      ["complete", running, "--result", ok, "--result-file", "r.json"],
      /give --result or --result-file, not both/,
      2,
    );
    await refuse(
      ["complete", running, "--result", ok, "--stdout", "x", "--stdout-file", "o.txt"],
      /give --stdout or --stdout-file, not both/,
      2,
    );
    await refuse(
      ["complete", running, "--result-file", "-", "--stdout-file", "-"],
      /only one of --result-file, --stdout-file may be '-'/,
      2,
      ok,
    );
    await refuse(
      ["fail", running, "--error", "x", "--stdout-file", "-", "--stderr-file", "-"],
      /only one of --stdout-file, --stderr-file may be '-'/,
      2,
      "",
    );
    await refuse(["fail", running], /--error is required/, 2);
    await refuse(["fail", running, "--error", ""], /an error message is required/);
    await refuse(["fail", running, "--error", "  "], /an error message is required/);
    assert.equal(
      p.query("SELECT status FROM tasks WHERE id = ?", running)[0].status,
      "running",
    );

    // the task's state
    await refuse(
      ["complete", queued, "--result", ok],
      new RegExp(`cannot complete task ${queued}: it is queued, not running\\nclaim it first`),
    );
    await refuse(
      ["fail", queued, "--error", "x"],
      /cannot fail task .*: it is queued, not running/,
    );
    await refuse(
      ["complete", "tsk_000000000000", "--result", ok],
      /no task with ID 'tsk_000000000000'/,
    );
    await refuse(["fail", "nope", "--error", "x"], /no task with ID 'nope'/);

    await p.ok(["complete", running, "--result", ok]);
    // The same report again is accepted (SPEC 12.1); another result is refused.
    await p.ok(["complete", running, "--result", ok]);
    await refuse(
      ["complete", running, "--result", '{"summary":"other"}'],
      /cannot complete task .*: it is succeeded, not running/,
    );
    await refuse(["fail", running, "--error", "late"], /cannot fail task .*: it is succeeded/);

    const failed = (await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"])).trim();
    await p.ok(["claim", "-s", "docs"]);
    await p.ok(["fail", failed, "--error", "boom"]);
    await refuse(
      ["complete", failed, "--result", ok],
      new RegExp(`it is failed, not running\\nrequeue it with 'sparkq requeue ${failed}'`),
    );
    await refuse(["fail", failed, "--error", "again"], /cannot fail task .*: it is failed/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("a task auto-failed at 2x its timeout cannot be completed afterwards", async () => {
  const p = await project();
  try {
    const id = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth", "--timeout", "1"])).trim();
    await p.ok(["claim", "-s", "auth"]);
    // the worker went quiet for 3 s (> 2 x 1 s): set started_at back in the DB file
    p.exec(
      "UPDATE tasks SET started_at = ? WHERE id = ?",
      new Date(Date.now() - 3000).toISOString(),
      id,
    );
    // the late complete itself runs the auto-fail first, then is refused
    const r = await p.run(["complete", id, "--result", '{"summary":"late"}']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^Error: cannot complete task ${id}: it was auto-failed at \\S+Z \\(Auto-failed: task exceeded 2x timeout \\(2s\\) with no complete/fail reported\\. Likely worker crash or disconnect\\.\\); what this report carried is kept on the task as late_report \\(see 'sparkq task ${id}'\\)\\nrequeue it`,
      ),
    );
    const row = p.query("SELECT status, error, result FROM tasks WHERE id = ?", id)[0];
    assert.equal(row.status, "failed", "the auto-fail stands");
    assert.match(String(row.error), /^Auto-failed: task exceeded 2x timeout \(2s\)/);
    assert.equal(row.result, null);
    // and once auto-failed (and its late report kept), complete and fail change nothing at all
    await assertRefused(p, ["complete", id, "--result", '{"summary":"later"}'], /auto-failed at/);
    await assertRefused(p, ["fail", id, "--error", "x"], /cannot fail task .*: it was auto-failed/);

    // a task that is merely stale (past 1x, within 2x) can still be completed
    const id2 = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth", "--timeout", "10"])).trim();
    await p.ok(["claim", "-s", "auth"]);
    p.exec(
      "UPDATE tasks SET started_at = ? WHERE id = ?",
      new Date(Date.now() - 15_000).toISOString(),
      id2,
    );
    assert.deepEqual(
      JSON.parse(await p.ok(["tasks", "--stale", "--json"])).map((t: { id: string }) => t.id),
      [id2],
    );
    await p.ok(["complete", id2, "--result", '{"summary":"just in time"}']);
    assert.equal(p.query("SELECT status FROM tasks WHERE id = ?", id2)[0].status, "succeeded");

    // reading commands auto-fail too (without the server): `tasks` fails a dead one
    const id3 = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth", "--timeout", "1"])).trim();
    await p.ok(["claim", "-s", "auth"]);
    p.exec(
      "UPDATE tasks SET started_at = ? WHERE id = ?",
      new Date(Date.now() - 2500).toISOString(),
      id3,
    );
    const listed = JSON.parse(await p.ok(["tasks", "--json", "--stream", "auth", "-n", "1"]));
    assert.equal(listed[0].id, id3);
    assert.equal(listed[0].status, "failed");
    assert.match(listed[0].error, /^Auto-failed/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("requeue refuses tasks that are not failed; tasks, task and purge refuse bad input", async () => {
  const p = await project();
  try {
    const queued = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
    const running = (await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"])).trim();
    await p.ok(["claim", "-s", "docs"]);
    const done = (await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"])).trim();
    await p.ok(["claim", "-s", "docs"]);
    await p.ok(["complete", done, "--result", '{"summary":"ok"}']);
    const failed = (await p.ok(["enqueue", "run-bash", "{}", "-s", "docs"])).trim();
    await p.ok(["claim", "-s", "docs"]);
    await p.ok(["fail", failed, "--error", "x"]);

    for (const [id, state] of [[queued, "queued"], [running, "running"], [done, "succeeded"]]) {
      await assertRefused(
        p,
        ["requeue", id],
        new RegExp(
          `^Error: cannot requeue task ${id}: it is ${state}; only failed tasks \\(and tasks left queued in an ended stream\\) are requeued`,
        ),
      );
    }
    await assertRefused(p, ["requeue", "tsk_ffffffffffff"], /no task with ID 'tsk_ffffffffffff'/);
    await assertRefused(p, ["requeue", failed, "--stream", "nope"], /no stream named 'nope'/);
    await p.ok(["stream", "end", "docs"]);
    await assertRefused(
      p,
      ["requeue", failed],
      /cannot requeue task .* into stream 'docs': the stream is ended\npass --stream/,
    );
    await assertRefused(
      p,
      ["requeue", failed, "--stream", "docs"],
      /stream 'docs' is ended: it takes no new tasks/,
    );

    await assertRefused(p, ["task", "tsk_ffffffffffff"], /no task with ID 'tsk_ffffffffffff'/);
    // With --json the refusal is one JSON line on stderr (SPEC 12.1), exit 1 still.
    const asJson = await p.run(["task", "tsk_ffffffffffff", "--json"]);
    assert.equal(asJson.code, 1);
    assert.equal(asJson.stdout, "");
    assert.deepEqual(JSON.parse(asJson.stderr), {
      error: "no task with ID 'tsk_ffffffffffff'",
      code: "not_found",
      hint: "list tasks with 'sparkq tasks'",
    });
    await assertRefused(
      p,
      ["tasks", "--status", "done"],
      /--status must be one of queued, running, succeeded, failed \(got 'done'\)/,
      2,
    );
    await assertRefused(
      p,
      ["tasks", "--stream", "auht"],
      /no stream named 'auht'\ndid you mean 'auth'/,
    );
    await assertRefused(p, ["tasks", "--limit", "-3"], /--limit needs a value|--limit must be/, 2);
    await assertRefused(
      p,
      ["tasks", "--limit", "many"],
      /--limit must be a positive whole number/,
      2,
    );
    await assertRefused(
      p,
      ["tasks", "--limit", "1001"],
      /^Error: --limit must be a whole number from 1 to 1000 \(got '1001'\)\n/,
      2,
    );
    await assertRefused(
      p,
      ["purge", "--older-than", "3x"],
      /^Error: --older-than: invalid duration '3x'\nuse a number and a unit/,
      2,
    );
    await assertRefused(p, ["purge", "--older-than", "0d"], /invalid duration '0d'/, 2);
    await assertRefused(p, ["purge", "--older-than=soon"], /invalid duration 'soon'/, 2);
    const before = p.dump();
    assert.match(await p.ok(["purge", "--older-than", "1w"]), /^Purged 0 tasks/);
    assert.equal(p.dump(), before);
  } finally {
    await p.cleanup();
  }
});
