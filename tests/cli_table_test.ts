/**
 * The typed command table as a user (or an agent guessing forms, SPEC §12.1) meets it:
 * the stream given positionally to claim/peek/wait, both forms at once agreeing or
 * refused, `--json` accepted where JSON is printed, `complete --summary`,
 * `fail --result`, and the refusals the parser makes from the declarations (required
 * flags, either-or groups, choices) with exit 2 and the declared usage line. Each
 * scenario runs through the source and through a freshly built launcher.
 */
import assert from "node:assert/strict";
import { assertRefused, freshLauncher, query, type TempProject, tempProject } from "./helpers.ts";

/** A project with session s1 and streams auth and docs. */
async function project(launcher?: string): Promise<TempProject> {
  const p = await tempProject([], { launcher });
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "auth", "--session", "s1"]);
  await p.ok(["stream", "create", "docs", "--session", "s1"]);
  return p;
}

const enqueue = async (p: TempProject, stream: string) =>
  (await p.ok(["enqueue", "run-bash", '{"n": 1}', "--stream", stream])).trim();

const status = (p: TempProject, id: string) =>
  query(p.db, "SELECT status FROM tasks WHERE id = ?", id)[0].status;

/** claim, peek and wait take the stream positionally; both forms must agree. */
async function positionalStream(p: TempProject): Promise<void> {
  const a = await enqueue(p, "auth");
  const b = await enqueue(p, "auth");
  const c = await enqueue(p, "auth");

  // peek: positional = flag = both agreeing, and --json prints the same line
  const peeked = await p.ok(["peek", "auth"]);
  assert.equal(JSON.parse(peeked).id, a);
  assert.equal(await p.ok(["peek", "--stream", "auth"]), peeked);
  assert.equal(await p.ok(["peek", "auth", "--stream", "auth"]), peeked);
  assert.equal(await p.ok(["peek", "auth", "--json"]), peeked);

  // disagreeing forms: exit 2, both values named, nothing claimed
  for (const cmd of ["peek", "claim", "wait"]) {
    const r = await assertRefused(
      p,
      [cmd, "auth", "--stream", "docs"],
      /^Error: the stream is given twice and differs: 'auth' and --stream 'docs'\n/,
      2,
    );
    assert.match(r.stderr, new RegExp(`\\nusage: sparkq ${cmd} `));
    assert.equal(r.stdout, "");
  }
  assert.equal(status(p, a), "queued");

  // claim auth (positional) and claim auth --json: the task as pretty JSON
  const first = await p.ok(["claim", "auth"]);
  assert.equal(JSON.parse(first).id, a);
  assert.match(first, /^\{\n {2}"id"/);
  const second = await p.ok(["claim", "auth", "--json"]);
  assert.equal(JSON.parse(second).id, b);
  assert.match(second, /^\{\n {2}"id"/);
  assert.equal(status(p, b), "running");

  // wait auth: positional, with --json and a time limit
  const waited = await p.ok(["wait", "auth", "--timeout", "5", "--json"]);
  assert.equal(JSON.parse(waited).id, c);
  assert.equal(await p.ok(["wait", "auth", "--timeout", "1"]), "", "empty: exit 0, no output");

  // a missing stream is still refused; peek/wait by the parser (exit 2)
  await assertRefused(p, ["peek"], /^Error: --stream is required\nusage: sparkq peek /, 2);
  await assertRefused(p, ["wait"], /^Error: --stream is required\nusage: sparkq wait /, 2);
  await assertRefused(p, ["claim", "auth", "docs"], /unexpected argument 'docs'/, 2);
}

/** complete --summary, alone or with a result; fail --result kept on the task. */
async function summaryAndFailResult(p: TempProject): Promise<void> {
  const t1 = await enqueue(p, "docs");
  const t2 = await enqueue(p, "docs");
  const t3 = await enqueue(p, "docs");
  const t4 = await enqueue(p, "docs");
  const t5 = await enqueue(p, "docs");
  for (let i = 0; i < 5; i++) await p.ok(["claim", "docs"]);
  const task = async (id: string) => JSON.parse(await p.ok(["task", id, "--json"]));

  // --summary alone is the result {"summary": TEXT}
  assert.equal(
    await p.ok(["complete", t1, "--summary", "it's done: 3 files"]),
    `Completed ${t1}: it's done: 3 files\n`,
  );
  assert.deepEqual((await task(t1)).result, { summary: "it's done: 3 files" });

  // with --result it sets (or replaces) the summary key
  await p.ok(["complete", t2, "--result", '{"files": 3}', "--summary", "three"]);
  assert.deepEqual((await task(t2)).result, { files: 3, summary: "three" });
  await Deno.writeTextFile(`${p.dir}/r.json`, '{"summary": "old", "ok": true}');
  const done = JSON.parse(
    await p.ok(["complete", t3, "--result-file", "r.json", "--summary", "new", "--json"]),
  );
  assert.deepEqual(done.result, { summary: "new", ok: true });
  await assertRefused(p, ["complete", t4, "--summary", ""], /summary/);

  // fail --result: structured facts on a failed task, shown by task --json and task
  const failed = JSON.parse(
    await p.ok(["fail", t4, "--error", "lint failed", "--result", '{"errors": 2}', "--json"]),
  );
  assert.equal(failed.status, "failed");
  assert.deepEqual(failed.result, { errors: 2 });
  const shown = await task(t4);
  assert.deepEqual([shown.status, shown.error, shown.result], ["failed", "lint failed", {
    errors: 2,
  }]);
  const human = await p.ok(["task", t4]);
  assert.match(human, /── Result[^\n]*\n\{\n {2}"errors": 2\n\}/);
  assert.doesNotMatch(human, /Summary: undefined/);
  await assertRefused(
    p,
    ["fail", t5, "--error", "x", "--result", "[1]"],
    /^Error: result must be a JSON object, got an array/,
  );
  await assertRefused(
    p,
    ["fail", t5, "--error", "x", "--result", "{}", "--result-file", "r.json"],
    /^Error: give --result or --result-file, not both\nusage: sparkq fail <id> --error MESSAGE/,
    2,
  );
  await Deno.writeTextFile(`${p.dir}/f.json`, '{"exit": 127}');
  await p.ok(["fail", t5, "--error", "not found", "--result-file", "f.json"]);
  assert.deepEqual((await task(t5)).result, { exit: 127 });
  // fail without --result keeps no result, as before
  const t6 = await enqueue(p, "docs");
  await p.ok(["claim", "docs"]);
  await p.ok(["fail", t6, "--error", "plain"]);
  assert.equal((await task(t6)).result, null);
}

/** Refusals the parser makes from the declarations: exit 2 and the usage line. */
async function declaredRefusals(p: TempProject): Promise<void> {
  await assertRefused(
    p,
    ["stream", "create", "x"],
    /^Error: --session is required\nusage: sparkq stream create <name> --session NAME \[flags\]\n$/,
    2,
  );
  await assertRefused(
    p,
    ["stream", "create", "x", "--session="],
    /^Error: --session is required\n/,
    2,
  );
  await assertRefused(
    p,
    ["enqueue", "run-bash", "{}"],
    /^Error: --stream is required\nusage: sparkq enqueue <tool> <payload> --stream NAME \[flags\]\n$/,
    2,
  );
  await assertRefused(
    p,
    ["complete", "tsk_x"],
    /^Error: --result \(or --result-file or --summary\) is required\nusage: sparkq complete <id> \(--result JSON\|--result-file PATH\|--summary TEXT\) \[flags\]\n$/,
    2,
  );
  await assertRefused(
    p,
    ["complete", "tsk_x", "--summary", "s", "--stdout", "a", "--stdout-file", "o.txt"],
    /^Error: give --stdout or --stdout-file, not both\nusage: sparkq complete <id> /,
    2,
  );
  await assertRefused(
    p,
    ["fail", "tsk_x", "--stderr", "a", "--stderr-file", "o.txt", "--error", "e"],
    /^Error: give --stderr or --stderr-file, not both\n/,
    2,
  );
  await assertRefused(
    p,
    ["stream", "list", "--status", "open"],
    /^Error: --status must be one of active, ended \(got 'open'\)\n/,
    2,
  );
  await assertRefused(
    p,
    ["completions", "tcsh"],
    /^Error: <shell> must be one of bash, zsh \(got 'tcsh'\)\n/,
    2,
  );
  await assertRefused(
    p,
    ["claim", "auth", "--summary", "x"],
    /^Error: unknown flag '--summary' for 'sparkq claim'\n/,
    2,
  );
  await assertRefused(p, ["complete", "tsk_x", "--sumary", "x"], /did you mean '--summary'\?/, 2);
  // help is written from the declaration too
  const help = await p.ok(["complete", "--help"]);
  assert.match(
    help,
    /usage: sparkq complete <id> \(--result JSON\|--result-file PATH\|--summary TEXT\)/,
  );
  assert.match(help, /Give at most one of --result, --result-file\./);
  assert.match(await p.ok(["fail", "--help"]), /--error MESSAGE\s+what went wrong \(required\)/);
  assert.match(await p.ok(["claim", "--help"]), /usage: sparkq claim \[<stream>\|--stream NAME\]/);
}

Deno.test("agent-guessable forms and declared refusals, through the source", async () => {
  const p = await project();
  try {
    await positionalStream(p);
    await summaryAndFailResult(p);
    await declaredRefusals(p);
  } finally {
    await p.cleanup();
  }
});

Deno.test("agent-guessable forms and declared refusals, through a built launcher", async () => {
  const p = await project(await freshLauncher());
  try {
    await positionalStream(p);
    await summaryAndFailResult(p);
    await declaredRefusals(p);
    // the launcher writes the same completion scripts as the stored fixtures
    for (const shell of ["bash", "zsh"]) {
      assert.equal(
        await p.ok(["completions", shell]),
        await Deno.readTextFile(new URL(`./fixtures/completions/sparkq.${shell}`, import.meta.url)),
        `completions ${shell} through the launcher`,
      );
    }
  } finally {
    await p.cleanup();
  }
});
