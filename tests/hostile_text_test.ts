/**
 * Terminal escape injection (issue 10, SPEC §12.4): task and user text full of OSC 52
 * (clipboard), OSC 0 (window title), OSC 8 (links), CSI 2J (clear screen), a carriage
 * return, C1 controls and bidi overrides never reaches the terminal in human-readable
 * output of real CLI processes (source and launcher): it is shown as visible escapes.
 * `--json` output carries the text exactly.
 */
import assert from "node:assert/strict";
import { freshLauncher, sparkq, tempProject } from "./helpers.ts";
import { api, startServer } from "./server_helpers.ts";

/** Everything a hostile worker or user might put in task text. */
const HOSTILE = "A\x1b]52;c;aGVsbG8=\x07B" + // OSC 52: write the clipboard
  "\x1b]0;pwned\x07C" + // OSC 0: window title
  "\x1b]8;;http://evil.test/\x1b\\link\x1b]8;;\x1b\\D" + // OSC 8: hyperlink
  "\x1b[2JE" + // CSI 2J: clear the screen
  "\rF" + // carriage return: overwrite the line
  "\u202eG\u2067H" + // bidi override and isolate
  "\x9b31mI\x08J\x7fK"; // C1 CSI, backspace, DEL

/** What must never reach a terminal raw (newline and tab may). */
// deno-lint-ignore no-control-regex
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function assertSafe(out: string, what: string): void {
  const m = RAW.exec(out);
  assert.equal(m, null, `${what}: raw U+${m?.[0].charCodeAt(0).toString(16)} in ${out}`);
}

/** Runs a freshly built launcher (the bundle) in `cwd`. */
async function viaLauncher(cwd: string, env: Record<string, string>, args: string[]) {
  return await sparkq(args, { cwd, env, launcher: await freshLauncher() });
}

Deno.test("hostile task text is shown as visible escapes in every human output; --json is exact", async () => {
  const p = await tempProject();
  try {
    const file = (name: string, text: string) => Deno.writeTextFile(`${p.dir}/${name}`, text);
    await file("hostile.txt", HOSTILE);
    await file("result.json", JSON.stringify({ summary: HOSTILE, detail: HOSTILE }));
    await Deno.mkdir(`${p.dir}/scripts`, { recursive: true });
    await file(
      "scripts/evil.sh",
      `#!/bin/sh\n# name: evil\n# description: ${HOSTILE}\n# tags: ${HOSTILE}\necho hi\n`,
    );
    await p.ok(["session", "create", "s1", "-d", HOSTILE]);
    await p.ok(["stream", "create", "st", "--session", "s1", "--instructions", "@hostile.txt"]);
    const payload = JSON.stringify({ cmd: HOSTILE, nul: "x\u0000y" });
    const id1 = (await p.ok(["enqueue", "run-bash", payload, "--stream", "st"])).trim();
    const id2 = (await p.ok(["enqueue", "run-bash", payload, "--stream", "st"])).trim();

    // claim prints JSON: exact.
    const claimed = JSON.parse(await p.ok(["claim", "--stream", "st"]));
    assert.equal(claimed.payload.cmd, HOSTILE);
    assert.equal(claimed.stream.instructions, HOSTILE);
    await p.ok(["claim", "--stream", "st"]);

    const completed = await p.ok([
      "complete",
      id1,
      "--result-file",
      "result.json",
      "--stdout-file",
      "hostile.txt",
      "--stderr-file",
      "hostile.txt",
    ]);
    assertSafe(completed, "complete confirmation");
    assert.match(completed, /\\x1b\]52;c;/);
    const failed = await p.ok(["fail", id2, "--error", HOSTILE]);
    assertSafe(failed, "fail confirmation");
    assert.match(failed, /\\u202e/);

    const human: [string, string[]][] = [
      ["task (succeeded)", ["task", id1]],
      ["task (failed)", ["task", id2]],
      ["tasks", ["tasks"]],
      ["session list", ["session", "list"]],
      ["stream list", ["stream", "list"]],
      ["status", ["status"]],
      ["scripts", ["scripts"]],
    ];
    for (const [what, args] of human) {
      const r = await p.run(args);
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assertSafe(r.stdout, what);
      assertSafe(r.stderr, `${what} (stderr)`);
    }
    const shown = await p.ok(["task", id1]);
    // Each kind of escape is visible, and the text around it is kept.
    for (const visible of ["\\x1b]0;pwned\\x07", "\\x1b[2JE", "\\rF", "\\u202eG", "\\u009b31m"]) {
      assert.ok(shown.includes(visible), `task does not show ${visible}:\n${shown}`);
    }
    assert.ok((await p.ok(["stream", "list"])).includes("\\x1b]52;c;aGVsbG8=\\x07B"));
    assert.ok((await p.ok(["session", "list"])).includes("\\x1b]52;c;aGVsbG8=\\x07B"));

    // --json: the same text, exactly.
    const t1 = JSON.parse(await p.ok(["task", id1, "--json"]));
    assert.equal(t1.result.summary, HOSTILE);
    assert.equal(t1.result.detail, HOSTILE);
    assert.equal(t1.stdout, HOSTILE);
    assert.equal(t1.stderr, HOSTILE);
    assert.equal(t1.payload.nul, "x\u0000y");
    assert.equal(t1.stream.instructions, HOSTILE);
    const t2 = JSON.parse(await p.ok(["task", id2, "--json"]));
    assert.equal(t2.error, HOSTILE);
    const sessions = JSON.parse(await p.ok(["session", "list", "--json"]));
    assert.equal(sessions[0].description, HOSTILE);
    const streams = JSON.parse(await p.ok(["stream", "list", "--json"]));
    assert.equal(streams[0].instructions, HOSTILE);
    const raw = await p.ok(["stream", "list", "--json"]);
    assert.ok(raw.includes("\u202e"), "--json must carry the bidi override as is");

    // The launcher (the bundle) escapes the same way.
    const env = { SPARKQ_TMPDIR: `${p.dir}/tmp` };
    for (const args of [["task", id1], ["tasks"], ["session", "list"], ["stream", "list"]]) {
      const r = await viaLauncher(p.dir, env, args);
      assert.equal(r.code, 0, `launcher ${args.join(" ")}: ${r.stderr}`);
      assertSafe(r.stdout, `launcher ${args.join(" ")}`);
    }
    const j = await viaLauncher(p.dir, env, ["task", id1, "--json"]);
    assert.equal(JSON.parse(j.stdout).result.summary, HOSTILE);
  } finally {
    await p.cleanup();
  }
});

Deno.test("an error message quoting user text is escaped on stderr", async () => {
  const p = await tempProject();
  try {
    const r = await p.run(["task", `tsk_\x1b]0;pwned\x07\u202e`]);
    assert.equal(r.code, 1);
    assertSafe(r.stderr, "error");
    assert.match(r.stderr, /^Error: /);
  } finally {
    await p.cleanup();
  }
});

Deno.test("the web UI shows bidi overrides and control characters of task text visibly", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "st", "--session", "s1"]);
    const created = await api(s, "POST", "/api/tasks", {
      stream: "st",
      tool_name: "run-bash",
      payload: { cmd: HOSTILE },
    });
    assert.equal(created.status, 201);
    for (const path of [`/tasks/${created.body.id}`, "/tasks", "/"]) {
      const res = await fetch(`${s.url}${path}`);
      const html = await res.text();
      assert.equal(res.status, 200, path);
      assertSafe(html, `page ${path}`);
    }
    const page = await (await fetch(`${s.url}/tasks/${created.body.id}`)).text();
    assert.ok(page.includes("\\u202eG"), "the override is shown as \\u202e");
    // The API answers JSON exactly.
    const t = await api(s, "GET", `/api/tasks/${created.body.id}`);
    assert.equal(t.body.payload.cmd, HOSTILE);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});
