/**
 * `sparkq completions bash|zsh`: the scripts are generated from the command table and
 * complete commands, subcommands, flags, fixed values and, through the hidden
 * `completions __streams|__sessions|__tools`, names from the project's database.
 * Bash is driven the way readline drives it (COMP_WORDS / COMP_CWORD → COMPREPLY).
 */
import assert from "node:assert/strict";
import { type TempProject, tempProject } from "./helpers.ts";
import { COMMANDS } from "../src/cli/commands.ts";
import { run, shell, writeSparkqShim } from "./support/process.ts";

/** A `sparkq` executable for the scripts to call: the real CLI with the task's flags. */
function shim(p: TempProject): Promise<string> {
  return writeSparkqShim(`${p.dir}/sparkq`, {
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    launcher: p.launcher,
  });
}

/** Runs bash with the completion script loaded; `body` may call `complete_words`. */
async function bash(p: TempProject, script: string, body: string): Promise<string> {
  await Deno.writeTextFile(`${p.dir}/completion.bash`, script);
  const prog = `
source ${JSON.stringify(`${p.dir}/completion.bash`)}
# complete_words WORD... : the last word is the one being completed
complete_words() {
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
  _sparkq
  printf '%s\\n' "\${COMPREPLY[*]}"
}
${body}`;
  const out = await run("bash", ["--norc", "--noprofile", "-c", prog], { cwd: p.dir });
  assert.equal(out.code, 0, out.stderr);
  return out.stdout;
}

Deno.test("bash completion: commands, subcommands, flags, values and names from the DB", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "api-v2"]);
    await p.ok(["session", "create", "docs"]);
    await p.ok(["stream", "create", "auth", "--session", "api-v2"]);
    await p.ok(["stream", "create", "audit", "--session", "api-v2"]);
    await p.ok(["stream", "create", "endpoints", "--session", "api-v2"]);
    const script = await p.ok(["completions", "bash"]);
    assert.match(script, /^complete -F _sparkq sparkq$/m);
    const bin = await shim(p);

    const lines = (await bash(
      p,
      script,
      [
        `complete_words ${bin} ses`,
        `complete_words ${bin} session ''`,
        `complete_words ${bin} st`,
        `complete_words ${bin} enqueue run-bash '{}' --stream au`,
        `complete_words ${bin} enqueue run-bash '{}' --stream = au`,
        `complete_words ${bin} enqueue run-bash '{}' --stream =`,
        `complete_words ${bin} claim -s ''`,
        `complete_words ${bin} watch e`,
        `complete_words ${bin} stream end ''`,
        `complete_words ${bin} session end ''`,
        `complete_words ${bin} stream create new --session ''`,
        `complete_words ${bin} enqueue run-b`,
        `complete_words ${bin} tasks --status ''`,
        `complete_words ${bin} session list --status ''`,
        `complete_words ${bin} completions ''`,
        `complete_words ${bin} claim --`,
        `complete_words ${bin} enqueue --st`,
        `complete_words ${bin} session create x --json ''`,
      ].join("\n"),
    )).split("\n");
    const expected = [
      "session",
      "create list end",
      "status stop stream",
      "auth audit",
      "auth audit",
      "audit auth endpoints",
      "audit auth endpoints",
      "endpoints",
      "audit auth endpoints",
      "api-v2 docs",
      "api-v2 docs",
      "run-bash run-bash-fast",
      "queued running succeeded failed",
      "active ended",
      "bash zsh",
      "--stream --json --config --help",
      "--stream",
      "",
    ];
    const sortWords = (s: string) => s.split(" ").sort().join(" ");
    expected.forEach((want, i) =>
      assert.equal(sortWords(lines[i]), sortWords(want), `case ${i}: got '${lines[i]}'`)
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("bash completion: every command of the table is offered, and its flags", async () => {
  const p = await tempProject();
  try {
    const script = await p.ok(["completions", "bash"]);
    const bin = await shim(p);
    const out = await bash(
      p,
      script,
      `complete_words ${bin} ''\ncomplete_words ${bin} complete --`,
    );
    const [top, flags] = out.split("\n").map((l) => new Set(l.split(" ")));
    for (const c of COMMANDS) assert.ok(top.has(c.name.split(" ")[0]), `${c.name} not offered`);
    const complete = COMMANDS.find((c) => c.name === "complete")!;
    for (const f of Object.keys(complete.flags!)) assert.ok(flags.has(`--${f}`), `--${f} missing`);
  } finally {
    await p.cleanup();
  }
});

Deno.test("the hidden name listings print names only, and nothing outside a project", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "alpha", "--session", "s1"]);
    assert.equal(await p.ok(["completions", "__streams"]), "alpha\n");
    assert.equal(await p.ok(["completions", "__sessions"]), "s1\n");
    assert.match(await p.ok(["completions", "__tools"]), /^run-bash\nrun-bash-fast\n/);
    const outside = await Deno.makeTempDir({ prefix: "sparkq-noproject-" });
    try {
      const r = await p.run(["completions", "__streams", "--config", `${outside}/sparkq.yml`]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, "", ""]);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
    const bad = await p.run(["completions", "fish"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Error: <shell> must be one of bash, zsh \(got 'fish'\)/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("completion scripts are the stored fixtures (regenerate: deno task fixtures)", async () => {
  const p = await tempProject();
  try {
    for (const shell of ["bash", "zsh"]) {
      const fixture = new URL(`./fixtures/completions/sparkq.${shell}`, import.meta.url);
      assert.equal(
        await p.ok(["completions", shell]),
        await Deno.readTextFile(fixture),
        `'sparkq completions ${shell}' differs from ${fixture.pathname}: if the change is ` +
          "meant (a command or flag was declared), run 'deno task fixtures' and review the diff",
      );
    }
  } finally {
    await p.cleanup();
  }
});

Deno.test("the scripts complete from the declared kinds: names, paths, choices", async () => {
  const bashText = await Deno.readTextFile(
    new URL("./fixtures/completions/sparkq.bash", import.meta.url),
  );
  // a positional stream, a stream flag, a session flag, a tool, paths, choices, free text
  for (
    const line of [
      "'claim|0') echo 'stream' ;;",
      "'claim|--stream'|'claim|-s') echo 'stream' ;;",
      "'stream create|--session'|'stream create|-s') echo 'session' ;;",
      "'enqueue|0') echo 'tool' ;;",
      "'complete|--result-file') echo 'file' ;;",
      "'setup|--script-dir') echo 'dir' ;;",
      "'tasks|--status') echo 'w:queued running succeeded failed' ;;",
      "'completions|0') echo 'w:bash zsh' ;;",
      "'complete|--summary') echo 'value' ;;",
      "*'|--config') echo 'file' ;;",
    ]
  ) assert.ok(bashText.includes(line), `missing: ${line}`);
  assert.ok(!bashText.includes("__streams "), "the hidden listings are not offered");
});

const hasZsh = (await shell("command -v zsh")).code === 0;

Deno.test({
  name: "zsh completion: the script loads in zsh and computes the same candidates",
  ignore: !hasZsh,
  fn: async () => {
    const p = await tempProject();
    try {
      await p.ok(["session", "create", "s1"]);
      await p.ok(["stream", "create", "auth", "--session", "s1"]);
      await p.ok(["stream", "create", "api", "--session", "s1"]);
      const script = await p.ok(["completions", "zsh"]);
      assert.match(script, /^#compdef sparkq/);
      await Deno.writeTextFile(`${p.dir}/_sparkq`, script);
      const bin = await shim(p);
      // compdef/compadd exist only inside zsh's completion system; the candidate
      // logic the widget calls is plain shell and is checked directly.
      const prog = `compdef() { :; }
source ${JSON.stringify(`${p.dir}/_sparkq`)}
__sparkq_bin=${JSON.stringify(bin)}
for w in $(__sparkq_candidates ses); do print -r -- "$w"; done; print -- ---
for w in $(__sparkq_candidates '' claim --stream); do print -r -- "$w"; done; print -- ---
for w in $(__sparkq_candidates '' tasks --status); do print -r -- "$w"; done`;
      const out = await run("zsh", ["-f", "-c", prog], { cwd: p.dir });
      assert.equal(out.code, 0, out.stderr);
      const [top, streams, statuses] = out.stdout.split("---\n")
        .map((s) => s.trim().split("\n").sort());
      assert.ok(top.includes("session") && top.includes("stream") && top.includes("claim"));
      assert.deepEqual(streams, ["api", "auth"]);
      assert.deepEqual(statuses, ["failed", "queued", "running", "succeeded"]);
    } finally {
      await p.cleanup();
    }
  },
});
