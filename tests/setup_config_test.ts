/**
 * `sparkq setup` (interactive through a pseudo-terminal, unattended, re-run) and
 * sparkq.yml discovery, overrides and error reporting — all through the real CLI.
 */
import assert from "node:assert/strict";
import { dumpDb, ok, query, sparkq, tempProject } from "./helpers.ts";
import { sparkqOnTerminal } from "./support/process.ts";
import { SCHEMA_VERSION } from "../src/storage/schema.ts";

/** Runs `sparkq setup` on a pseudo-terminal (util-linux `script`), answering `answers`. */
function setupOnTty(dir: string, answers: string[]): Promise<{ code: number; out: string }> {
  const stdin = answers.map((a) => a + "\n").join("");
  return sparkqOnTerminal(["setup"], { cwd: dir, env: { NO_COLOR: "1" }, stdin });
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "sparkq-setup-" });
}

Deno.test("interactive setup asks every question and writes what was answered", async () => {
  const dir = await tempDir();
  try {
    const r = await setupOnTty(dir, [
      "myproj",
      ".",
      "docs/prd.md",
      "scripts, tools/bin",
      "31",
      "",
      "",
      "abc", // refused: asked again
      "901",
      "9000",
    ]);
    assert.equal(r.code, 0, r.out);
    for (
      const q of [
        "Project name",
        "Repository path",
        "PRD file path",
        "Script directories",
        "FAST_SCRIPT",
        "MEDIUM_SCRIPT",
        "LLM_LITE",
        "LLM_HEAVY",
        "Server port",
      ]
    ) {
      assert.match(r.out, new RegExp(q), `asks ${q}`);
    }
    assert.match(r.out, /'abc' is not a whole number 1 or more; try again/);
    const yml = await Deno.readTextFile(`${dir}/sparkq.yml`);
    assert.match(yml, /name: myproj/);
    assert.match(yml, /prd_path: docs\/prd.md/);
    assert.match(yml, /script_dirs:\n {2}- scripts\n {2}- tools\/bin/);
    assert.match(yml, /FAST_SCRIPT:\n {4}timeout: 31/);
    assert.match(yml, /MEDIUM_SCRIPT:\n {4}timeout: 300/);
    assert.match(yml, /LLM_HEAVY:\n {4}timeout: 901/);
    assert.match(yml, /port: 9000/);
    const project = query(`${dir}/sparkq.db`, "SELECT * FROM projects");
    assert.equal(project.length, 1);
    assert.equal(project[0].name, "myproj");
    assert.match(String(project[0].id), /^prj_[0-9a-f]{12}$/);
    assert.equal(query(`${dir}/sparkq.db`, "PRAGMA journal_mode")[0].journal_mode, "wal");
    assert.equal(query(`${dir}/sparkq.db`, "PRAGMA user_version")[0].user_version, SCHEMA_VERSION);

    // Re-running: Enter everywhere keeps the current values, and the data stays.
    await ok(["session", "create", "keepme"], { cwd: dir });
    const again = await setupOnTty(dir, Array(10).fill(""));
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /Project name \[myproj\]/);
    assert.match(again.out, /Server port \[9000\]/);
    assert.match(again.out, /FAST_SCRIPT \[31\]/);
    assert.equal(await Deno.readTextFile(`${dir}/sparkq.yml`), yml);
    assert.equal(query(`${dir}/sparkq.db`, "SELECT name FROM sessions")[0].name, "keepme");
    assert.equal(query(`${dir}/sparkq.db`, "SELECT COUNT(*) AS n FROM projects")[0].n, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interactive setup cancelled with Ctrl-D writes nothing", async () => {
  const dir = await tempDir();
  try {
    const r = await setupOnTty(dir, ["halfway"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /Error: setup cancelled: nothing was changed/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("setup without a terminal and without --yes exits 1 and creates nothing", async () => {
  const dir = await tempDir();
  try {
    const r = await sparkq(["setup"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: setup asks questions, but stdin is not a terminal/);
    assert.match(r.stderr, /--yes/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unattended setup takes flags; re-running keeps data, comments and other values", async () => {
  const p = await tempProject([
    "--script-dir",
    "bin",
    "--script-dir",
    "tools",
    "--fast-timeout",
    "12",
    "--port",
    "9101",
  ]);
  try {
    let yml = await Deno.readTextFile(`${p.dir}/sparkq.yml`);
    assert.match(yml, /script_dirs:\n {2}- bin\n {2}- tools/);
    assert.match(yml, /FAST_SCRIPT:\n {4}timeout: 12/);
    assert.match(yml, /port: 9101/);
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "auth", "--session", "s1"]);
    await Deno.writeTextFile(
      `${p.dir}/sparkq.yml`,
      yml.replace("server:", "# my note about the port\nserver:"),
    );

    await p.ok(["setup", "--yes", "--port", "9102", "--name", "renamed"]);
    yml = await Deno.readTextFile(`${p.dir}/sparkq.yml`);
    assert.match(yml, /# my note about the port\nserver:\n {2}port: 9102/);
    assert.match(yml, /FAST_SCRIPT:\n {4}timeout: 12/, "values not given are kept");
    assert.match(yml, /name: renamed/);
    assert.equal(query(p.db, "SELECT name FROM projects")[0].name, "renamed");
    assert.equal(query(p.db, "SELECT COUNT(*) AS n FROM streams")[0].n, 1);
  } finally {
    await p.cleanup();
  }
});

Deno.test("setup refuses bad flag values with exit 2 and changes nothing", async () => {
  const p = await tempProject();
  try {
    const yml = await Deno.readTextFile(`${p.dir}/sparkq.yml`);
    const db = dumpDb(p.db);
    for (
      const [args, pattern] of [
        [["--port", "0"], /--port must be a positive whole number \(got '0'\)/],
        [["--port", "70000"], /--port must be from 1 to 65535 \(got 70000\)/],
        [
          ["--fast-timeout", "soon"],
          /--fast-timeout must be a positive whole number \(got 'soon'\)/,
        ],
        [["--name", ""], /--name must not be empty/],
        [["--colour"], /unknown flag '--colour'/],
      ] as [string[], RegExp][]
    ) {
      const r = await p.run(["setup", "--yes", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: /);
      assert.match(r.stderr, pattern);
      assert.equal(await Deno.readTextFile(`${p.dir}/sparkq.yml`), yml);
      assert.equal(dumpDb(p.db), db);
    }
  } finally {
    await p.cleanup();
  }
});

Deno.test("sparkq.yml is found upward, and --config / SPARKQ_CONFIG override it", async () => {
  const p = await tempProject();
  const other = await tempProject();
  try {
    await p.ok(["session", "create", "here"]);
    await other.ok(["session", "create", "there"]);
    const sub = `${p.dir}/a/b`;
    await Deno.mkdir(sub, { recursive: true });
    const names = (out: string) => JSON.parse(out).map((s: { name: string }) => s.name);
    assert.deepEqual(names(await ok(["session", "list", "--json"], { cwd: sub })), ["here"]);
    assert.deepEqual(
      names(
        await ok(["session", "list", "--json", "--config", `${other.dir}/sparkq.yml`], {
          cwd: sub,
        }),
      ),
      ["there"],
    );
    assert.deepEqual(
      names(
        await ok(["--config", `${other.dir}/sparkq.yml`, "session", "list", "--json"], {
          cwd: sub,
        }),
      ),
      ["there"],
    );
    assert.deepEqual(
      names(
        await ok(["session", "list", "--json"], {
          cwd: sub,
          env: { SPARKQ_CONFIG: `${other.dir}/sparkq.yml` },
        }),
      ),
      ["there"],
    );
    const missing = await sparkq(["session", "list", "--config", `${p.dir}/nope.yml`], {
      cwd: sub,
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error: no config file at .*nope\.yml \(from --config\)/);
  } finally {
    await p.cleanup();
    await other.cleanup();
  }
});

Deno.test("every command but setup needs a sparkq.yml", async () => {
  const dir = await tempDir();
  try {
    for (
      const args of [["status"], ["session", "list"], ["stream", "create", "x", "--session", "y"]]
    ) {
      const r = await sparkq(args, { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^Error: no sparkq.yml found in .* or its parents: run 'sparkq setup' first/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a broken sparkq.yml is reported with file, line and what was expected", async () => {
  const p = await tempProject();
  try {
    const good = await Deno.readTextFile(`${p.dir}/sparkq.yml`);
    await p.ok(["session", "list"]); // fills the config cache
    // [broken text, the offending line's text, the expected message]
    const cases: [string, string, RegExp][] = [
      [good.replace("name: test", "name: [test"), "", /invalid YAML: /],
      [
        good.replace("port: 8420", "port: eighty"),
        "  port: eighty",
        /server\.port: expected a number, got "eighty"/,
      ],
      [
        good.replace("task_class: LLM_LITE", "task_class: LLM_MEDIUM"),
        "    task_class: LLM_MEDIUM",
        /tools\.llm-haiku\.task_class: expected one of FAST_SCRIPT, MEDIUM_SCRIPT, LLM_LITE, LLM_HEAVY, got "LLM_MEDIUM"/,
      ],
      [good + "colour: blue\n", "colour: blue", /\(top level\): unknown key 'colour'/],
      [
        good.replace("timeout: 30", "timeout: -30"),
        "    timeout: -30",
        /FAST_SCRIPT\.timeout: expected a positive number, got -30/,
      ],
    ];
    for (const [text, offending, pattern] of cases) {
      await Deno.writeTextFile(`${p.dir}/sparkq.yml`, text);
      const before = dumpDb(p.db);
      const r = await p.run(["session", "create", "nope"]);
      assert.equal(r.code, 1, r.stderr);
      const m = r.stderr.match(/^Error: \/.*sparkq\.yml:(\d+): /);
      assert.ok(m, r.stderr);
      assert.match(r.stderr, pattern);
      if (offending) {
        assert.equal(text.split("\n")[Number(m[1]) - 1], offending, "names the offending line");
      }
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(dumpDb(p.db), before);
    }
    await Deno.writeTextFile(`${p.dir}/sparkq.yml`, good);
    await p.ok(["session", "create", "works-again"]);
  } finally {
    await p.cleanup();
  }
});
