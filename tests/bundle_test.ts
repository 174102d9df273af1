/**
 * The distribution: `deno task bundle` in a copy of the SparkQ folder inside a
 * "user repository", then — with the sources deleted, so only dist/sparkq.js and the
 * launcher are left — SparkQ runs with `--no-config` and the scoped flags from
 * folders with no deno.json: the hot half (--version, sessions), the cold modules
 * beside it (setup, YAML re-parse, script index) and the server.
 */
import assert from "node:assert/strict";
import { mcpInitialize } from "./support/mcp_initialize.ts";
import { freshDatabase, PG_ADMIN_URL } from "./support/backend.ts";
import { DENO, freePort, ROOT } from "./helpers.ts";
import { run as runProcess, spawn as spawnProcess, type Spawned } from "./support/process.ts";
import { absoluteFlags, launcherScript, taskFlags } from "../scripts/build.ts";
import { VERSION } from "../src/core/version.ts";
import { COLD_ENTRIES, coldFile, type ColdName } from "../src/core/cold.ts";

const SOURCES = ["deno.json", "deno.lock", "main.ts", "src", "scripts", "WORKER_PLAYBOOK.md"];

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isFile) return Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) await copy(`${from}/${e.name}`, `${to}/${e.name}`);
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env = {}): Promise<Ran> {
  return runProcess(cmd, args, {
    cwd,
    env: {
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
      // `deno task test` sets INIT_CWD, which SparkQ would take as the user's directory.
      INIT_CWD: cwd,
      // the launcher finds deno on PATH: the one running these tests
      PATH: `${DENO.replace(/\/[^/]*$/, "")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      ...env,
    },
  });
}

async function ok(cmd: string, args: string[], cwd: string, env = {}): Promise<string> {
  const r = await run(cmd, args, cwd, env);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

function noDenoJsonAbove(dir: string): void {
  for (let d = dir; d; d = d.replace(/\/[^/]*$/, "")) {
    for (const name of ["deno.json", "deno.jsonc", "package.json"]) {
      assert.throws(() => Deno.statSync(`${d}/${name}`), `${d}/${name} exists`);
    }
  }
}

Deno.test("dist/sparkq.js and ./sparkq run self-contained, hot and cold halves, with scoped flags", async () => {
  const base = await Deno.makeTempDir({ prefix: "sparkq-bundle-" });
  const repo = `${base}/myrepo`; // the user's repository
  const sq = `${repo}/sparkq`; // SparkQ copied into it
  const env = { SPARKQ_TMPDIR: `${base}/tmp` };
  let server: Spawned | undefined;
  try {
    await Deno.mkdir(`${base}/tmp`, { recursive: true });
    await Deno.mkdir(`${repo}/sub`, { recursive: true });
    await Deno.mkdir(sq);
    for (const f of SOURCES) await copy(`${ROOT}/${f}`, `${sq}/${f}`);

    const built = await ok(DENO, ["task", "--quiet", "bundle"], sq);
    assert.match(built, /^Built dist\/sparkq\.js \(\d+ KiB\) and the launcher \.\/sparkq; /);
    const bundle = await Deno.readTextFile(`${sq}/dist/sparkq.js`);
    assert.ok(!bundle.includes("data:application/javascript"), "nothing embedded as data:");
    for (const name of Object.keys(COLD_ENTRIES) as ColdName[]) {
      const file = `${sq}/dist/${coldFile(name).slice(2)}`;
      assert.ok((await Deno.stat(file)).isFile, `${name} beside it`);
      assert.ok(built.includes(`${coldFile(name).slice(2)} `), `${name} in the build's summary`);
    }
    assert.ok(!bundle.includes("SPARKQ_EMBEDDED_COLD_MODULES"), "the marker was replaced");
    assert.ok(((await Deno.stat(`${sq}/sparkq`)).mode! & 0o111) !== 0, "launcher is executable");

    // Only the distribution remains: no sources, no deno.json, no lock file.
    for (const f of SOURCES) await Deno.remove(`${sq}/${f}`, { recursive: true });
    noDenoJsonAbove(`${repo}/sub`);

    // The plain `deno run --no-config` form, from a folder with no deno.json.
    const flags = absoluteFlags(await taskFlags(), sq, repo);
    const direct = ["run", "--no-config", "--no-lock", ...flags, `${sq}/dist/sparkq.js`];
    assert.equal(
      await ok(DENO, [...direct, "--version"], `${repo}/sub`, env),
      `sparkq ${VERSION}\n`,
    );

    // Cold half: setup parses and writes YAML, validates with zod.
    const launcher = `${sq}/sparkq`;
    const port = freePort();
    const setup = await ok(
      "sh",
      [
        launcher,
        "setup",
        "--yes",
        "--name",
        "bundled",
        "--repo-path",
        "..",
        "--port",
        String(port),
      ],
      sq,
      env,
    );
    assert.match(setup, /Wrote .*myrepo\/sparkq\/sparkq\.yml/);

    // Hot half through the launcher from the repository root and a subfolder: the
    // launcher falls back to its own folder's sparkq.yml.
    await ok("sh", [launcher, "session", "create", "s1", "-d", "from the bundle"], repo, env);
    await ok("sh", [launcher, "stream", "create", "st1", "--session", "s1"], `${repo}/sub`, env);
    const sessions = JSON.parse(await ok("sh", [launcher, "session", "list", "--json"], repo, env));
    assert.deepEqual(sessions.map((s: { name: string }) => s.name), ["s1"]);
    const id =
      (await ok("sh", [launcher, "enqueue", "run-bash", '{"script":"x"}', "-s", "st1"], repo, env))
        .trim();
    assert.match(id, /^tsk_[0-9a-f]{12}$/);

    // The direct form sees the same project (cwd = the SparkQ folder).
    const streams = JSON.parse(await ok(DENO, [...direct, "stream", "list", "--json"], sq, env));
    assert.equal(streams[0].counts.queued, 1);

    // An edited sparkq.yml is re-parsed by a hot command through the config cold module beside the bundle.
    const yml = `${sq}/sparkq.yml`;
    await Deno.writeTextFile(
      yml,
      (await Deno.readTextFile(yml)).replace(
        /^tools:\n/m,
        "tools:\n  from-bundle:\n    description: added by hand\n    task_class: FAST_SCRIPT\n",
      ),
    );
    assert.match(await ok("sh", [launcher, "tools"], repo, env), /from-bundle/);

    // Cold half: the script index reads the repository (the launcher's read scope).
    await Deno.mkdir(`${repo}/scripts`);
    await Deno.writeTextFile(
      `${repo}/scripts/hello.sh`,
      "#!/bin/sh\n# name: hello\n# description: says hello\n# inputs: none\n# outputs: text\n# tags: demo\necho hello\n",
    );
    const scripts = JSON.parse(await ok("sh", [launcher, "scripts", "--json"], repo, env));
    assert.deepEqual(scripts.map((s: { name: string }) => s.name), ["hello"]);

    // The MCP server, a side file of the bundle: an initialize on stdin is answered on
    // stdout before the end of stdin ends the server.
    const initialize = mcpInitialize("t");
    const mcp = await runProcess("sh", [launcher, "mcp"], {
      cwd: repo,
      env: { ...env, PATH: `${DENO.replace(/\/[^/]*$/, "")}:/usr/bin:/bin` },
      stdin: JSON.stringify(initialize) + "\n",
    });
    assert.equal(mcp.code, 0, mcp.stderr);
    assert.equal(JSON.parse(mcp.stdout).result.serverInfo.name, "sparkq");

    // The server and web UI (cold half), then SIGTERM.
    // (sh runs the launcher, which execs deno: the test may spawn only named programs)
    server = spawnProcess("sh", [launcher, "run", "--no-watchers"], {
      cwd: repo,
      env: {
        ...env,
        NO_COLOR: "1",
        RUST_BACKTRACE: "0",
        PATH: `${DENO.replace(/\/[^/]*$/, "")}:/usr/bin:/bin`,
      },
    });
    let health: Record<string, unknown> | undefined;
    for (let i = 0; i < 150 && !health; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`);
        health = await res.json();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(health?.status, "ok");
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html[\s\S]*SparkQ/i);
    const task = await (await fetch(`http://127.0.0.1:${port}/api/tasks/${id}`)).json();
    assert.equal(task.stream.name, "st1");
    const code = await server.stop("SIGTERM");
    assert.equal(code, 0, server.stderr());
    assert.match(server.stdout(), /Server stopped/);
    server = undefined;
    assert.throws(() => Deno.statSync(`${sq}/sparkq.lock`), "lockfile removed");
  } finally {
    await server?.stop("SIGKILL");
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("the launcher says what to do when dist/sparkq.js is missing", async () => {
  const base = await Deno.makeTempDir({ prefix: "sparkq-launcher-" });
  try {
    await Deno.writeTextFile(`${base}/sparkq`, launcherScript(await taskFlags()), { mode: 0o755 });
    const r = await run("sh", [`${base}/sparkq`, "--version"], base);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error: ${base}/dist/sparkq.js is missing: run ${base}/setup.sh\n`);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("every command of the table runs through the launcher under its scoped flags", async () => {
  const base = await Deno.makeTempDir({ prefix: "sparkq-allcmds-" });
  const sq = `${base}/myrepo/sparkq`;
  const env = { SPARKQ_TMPDIR: `${base}/tmp` };
  const background: Spawned[] = [];
  try {
    await Deno.mkdir(`${base}/tmp`, { recursive: true });
    await Deno.mkdir(sq, { recursive: true });
    for (const f of SOURCES) await copy(`${ROOT}/${f}`, `${sq}/${f}`);
    await ok(DENO, ["task", "--quiet", "bundle"], sq);
    const L = `${sq}/sparkq`;
    const port = freePort();
    const covered = new Set<string>();
    /** Runs a command through the launcher; it must succeed with no permission complaint. */
    const sparkq = async (name: string, args: string[]): Promise<string> => {
      covered.add(name);
      const r = await run("sh", [L, ...args], sq, env);
      const where = `sparkq ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      assert.equal(r.code, 0, where);
      assert.doesNotMatch(r.stderr, /NotCapable|Requires .* access|not allowed/, where);
      return r.stdout;
    };
    const spawn = (name: string, args: string[]): Spawned => {
      covered.add(name);
      const child = spawnProcess("sh", [L, ...args], {
        cwd: sq,
        env: { ...env, NO_COLOR: "1", RUST_BACKTRACE: "0", INIT_CWD: sq },
      });
      background.push(child);
      return child;
    };
    const until = async (check: () => Promise<boolean> | boolean, what: string) => {
      for (let i = 0; i < 150; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`timed out waiting for ${what}`);
    };

    await sparkq("setup", [
      "setup",
      "--yes",
      "--name",
      "t",
      "--repo-path",
      "..",
      "--port",
      String(port),
    ]);
    await sparkq("status", ["status"]);
    await sparkq("reload", ["reload"]);
    await sparkq("tools", ["tools"]);
    await sparkq("scripts", ["scripts"]);
    await sparkq("session create", ["session", "create", "s"]);
    await sparkq("session list", ["session", "list"]);
    await sparkq("stream create", ["stream", "create", "a", "--session", "s", "-i", "x"]);
    await sparkq("stream list", ["stream", "list"]);
    const id1 = (await sparkq("enqueue", ["enqueue", "run-bash", "{}", "--stream", "a"])).trim();
    assert.match(await sparkq("peek", ["peek", "--stream", "a"]), new RegExp(id1));
    assert.equal(JSON.parse(await sparkq("claim", ["claim", "--stream", "a"])).id, id1);
    assert.equal(JSON.parse(await sparkq("heartbeat", ["heartbeat", id1, "--note", "n"])).id, id1);
    await sparkq("complete", ["complete", id1, "--result", '{"summary":"ok"}']);
    const id2 = (await sparkq("enqueue", ["enqueue", "run-bash", "{}", "--stream", "a"])).trim();
    await sparkq("claim", ["claim", "--stream", "a"]);
    await sparkq("fail", ["fail", id2, "--error", "bad"]);
    const id3 = (await sparkq("requeue", ["requeue", id2])).trim();
    const waited = JSON.parse(await sparkq("wait", ["wait", "--stream", "a", "--timeout", "2"]));
    assert.equal(waited.id, id3);
    // The MCP server over stdio: requests on stdin, answers on stdout, ends with stdin.
    covered.add("mcp");
    const calls = [
      { name: "sparkq_status", arguments: {} },
      { name: "sparkq_get_task", arguments: { id: id1 } },
    ].map((params, i) => ({ jsonrpc: "2.0", id: i + 2, method: "tools/call", params }));
    const mcp = await runProcess("sh", [L, "mcp"], {
      cwd: sq,
      env: { ...env, NO_COLOR: "1", PATH: `${DENO.replace(/\/[^/]*$/, "")}:/usr/bin:/bin` },
      stdin: [
        mcpInitialize("t"),
        { jsonrpc: "2.0", method: "notifications/initialized" },
        ...calls,
      ]
        .map((m) => JSON.stringify(m) + "\n").join(""),
    });
    assert.equal(mcp.code, 0, mcp.stderr);
    assert.doesNotMatch(mcp.stderr, /NotCapable|Requires .* access|not allowed/, mcp.stderr);
    const answers = mcp.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(answers.map((a) => [a.id, a.result?.isError ?? false]).sort(), [
      [1, false],
      [2, false],
      [3, false],
    ]);
    assert.match(await sparkq("tasks", ["tasks"]), new RegExp(id1));
    assert.match(await sparkq("task", ["task", id1]), /ok/);
    assert.match(
      await sparkq("report", ["report"]),
      new RegExp(`## Failures \\(1\\)[\\s\\S]*${id2}`),
    );
    await sparkq("report", ["report", "--format", "html", "--output", `${sq}/report.html`]);
    assert.match(await Deno.readTextFile(`${sq}/report.html`), /^<!doctype html>/);
    const feed = spawn("follow", ["follow", "--json"]);
    await feed.waitFor(`"id":"${id3}"`);
    assert.equal(await feed.stop("SIGINT"), 0, feed.output());
    assert.doesNotMatch(feed.stderr(), /NotCapable|Requires .* access|not allowed/);
    await sparkq("purge", ["purge", "--older-than", "1w"]);
    if (PG_ADMIN_URL !== undefined) {
      const pg = freshDatabase();
      try {
        assert.match(await sparkq("db copy", ["db", "copy", "--to", pg.url]), /Verified/);
      } finally {
        pg.drop();
      }
    } else await sparkq("db copy", ["db", "copy", "--help"]); // needs a PostgreSQL server
    assert.match(await sparkq("completions", ["completions", "bash"]), /complete -F/);

    // Long-running commands: the watcher, then the server; stop ends each.
    const watcher = spawn("watch", ["watch", "a"]);
    await until(() => Deno.stat(`${base}/tmp/sparkq-a.lock`).then(() => true, () => false), "lock");
    await sparkq("stop", ["stop", "--stream", "a"]);
    assert.equal((await watcher.done()).code, 0);
    const server = spawn("run", ["run", "--no-watchers"]);
    await until(
      () => fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false),
      "the server",
    );
    await sparkq("stop", ["stop"]);
    assert.equal((await server.done()).code, 0);
    background.length = 0;

    await sparkq("stream end", ["stream", "end", "a"]);
    await sparkq("session end", ["session", "end", "s"]);
    const { COMMANDS } = await import("../src/cli/commands.ts");
    assert.deepEqual(
      COMMANDS.map((c) => c.name).filter((n) => !covered.has(n)),
      [],
      "every command of the table was run through the launcher",
    );
  } finally {
    for (const child of background) await child.stop("SIGKILL");
    await Deno.remove(base, { recursive: true });
  }
});
