/**
 * WORKER_PLAYBOOK.md is executable: every `sparkq …` command in it (shell blocks and
 * inline code) parses with the real CLI parser and runs successfully against a real
 * project; the wait and FIFO loops behave as written; the reference worker block is
 * identical to tests/fixtures/worker_loop.sh (which the e2e and crash tests run).
 */
import assert from "node:assert/strict";
import { freePort, ROOT, type TempProject, tempProject } from "./helpers.ts";
import { bg, exists, FIXTURES, tmpOf, until, workerEnv } from "./fixtures/worker_lib.ts";
import { shell } from "./support/process.ts";
import { findCommand, parseArgs } from "../src/cli/args.ts";
import { COMMANDS } from "../src/cli/commands.ts";

const PLAYBOOK = Deno.readTextFileSync(`${ROOT}/WORKER_PLAYBOOK.md`);

/** The fenced bash blocks, in order. */
function bashBlocks(md: string): string[] {
  return [...md.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * The simple command starting at `start` in a shell line: up to the first unquoted
 * `;`, `|`, `&`, `<`, `>`, ` #` or unbalanced `)`, honouring quotes and `$( … )`.
 */
function shellCommandAt(ln: string, start: number): string {
  let quote = "";
  let depth = 0;
  let i = start;
  for (; i < ln.length; i++) {
    const ch = ln[i];
    if (quote) {
      if (ch === quote) quote = "";
      else if (ch === "\\" && quote === '"') i++;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "$" && ln[i + 1] === "(") {
      depth++;
      i++;
    } else if (ch === ")") {
      if (depth === 0) break;
      depth--;
    } else if (";|&<>".includes(ch) || (ch === "#" && /\s/.test(ln[i - 1]))) break;
  }
  return ln.slice(start, i).trim();
}

/**
 * Every `sparkq …` command in shell blocks (continuations joined) and inline code, except
 * in the reference worker's block: that one is a program (its commands take their
 * arguments from variables), run for real by the worker tests.
 */
function playbookCommands(whole: string): string[] {
  const md = whole.replace(/<!-- worker-loop:begin -->[\s\S]*?<!-- worker-loop:end -->/, "");
  const found: string[] = [];
  for (const block of bashBlocks(md)) {
    for (const ln of block.replace(/\\\n\s*/g, " ").split("\n")) {
      for (const m of ln.matchAll(/(?:^|[\s(;|&])sparkq\s/g)) {
        found.push(shellCommandAt(ln, m.index + m[0].indexOf("sparkq")));
      }
    }
  }
  for (const m of md.matchAll(/`(sparkq\s[^`]+)`/g)) found.push(m[1].trim());
  return [...new Set(found)];
}

/** Shell variables the playbook uses, as the tests set them. */
function prelude(p: TempProject, id = "tsk_000000000000"): string {
  return `S=st1; SESSION=s1; T='${tmpOf(p)}'; W='${p.dir}/w'; id='${id}'; `;
}

/** Splits a command into argv exactly as bash does, with the playbook's variables set. */
async function argvOf(p: TempProject, cmd: string): Promise<string[]> {
  const out = await shell(`${prelude(p)} set -- ${cmd}; printf '%s\\0' "$@"`, [], {
    shell: "bash",
  });
  assert.equal(out.code, 0, `bash could not split: ${cmd}`);
  return out.stdout.split("\0").slice(0, -1);
}

/** Runs a shell snippet in the project with the shim on PATH. */
async function sh(
  p: TempProject,
  env: Record<string, string>,
  script: string,
  id?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return await shell(prelude(p, id) + script, [], { shell: "bash", cwd: p.dir, env });
}

/** A loopback port that was free a moment ago. */
async function project(): Promise<{ p: TempProject; env: Record<string, string> }> {
  const p = await tempProject(["--port", String(freePort())]);
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "st1", "--session", "s1", "-i", "Build and report."]);
  const env = await workerEnv(p);
  await Deno.mkdir(`${p.dir}/w`);
  await Deno.writeTextFile(`${p.dir}/w/stdout`, "out\n");
  await Deno.writeTextFile(`${p.dir}/w/stderr`, "err\n");
  await Deno.writeTextFile(`${p.dir}/w/result.json`, '{"summary": "Did it."}');
  return { p, env };
}

const enqueue = (p: TempProject) =>
  p.ok(["enqueue", "run-bash", '{"command": "true"}', "--stream", "st1"]).then((s) => s.trim());

async function runningTask(p: TempProject): Promise<string> {
  const id = await enqueue(p);
  await p.ok(["claim", "--stream", "st1"]);
  return id;
}

Deno.test("playbook: the reference worker block is tests/fixtures/worker_loop.sh", () => {
  const m = PLAYBOOK.match(
    /<!-- worker-loop:begin -->\s*```bash\n([\s\S]*?)```\s*<!-- worker-loop:end -->/,
  );
  assert.ok(m, "the playbook has the marked worker-loop block");
  assert.equal(m[1], Deno.readTextFileSync(`${FIXTURES}/worker_loop.sh`));
});

Deno.test("playbook: every sparkq command parses and runs", async () => {
  const { p, env } = await project();
  try {
    const commands = playbookCommands(PLAYBOOK);
    const names = new Set<string>();
    for (const cmd of commands) {
      const argv = await argvOf(p, cmd);
      assert.equal(argv[0], "sparkq");
      const { spec, rest } = findCommand(argv.slice(1), COMMANDS); // throws on usage errors
      parseArgs(spec, rest, p.dir);
      names.add(spec.name);
    }
    // The commands the procedure relies on are all there.
    for (
      const n of [
        "status",
        "stream list",
        "wait",
        "watch",
        "claim",
        "heartbeat",
        "complete",
        "fail",
        "tasks",
        "task",
        "requeue",
        "stop",
        "run",
      ]
    ) {
      assert.ok(names.has(n), `the playbook shows 'sparkq ${n}'`);
    }

    for (const cmd of commands) {
      const [, name] = await argvOf(p, cmd);
      let id: string | undefined;
      if (name === "complete" || name === "fail" || name === "heartbeat") {
        id = await runningTask(p);
      }
      if (name === "task") id = await runningTask(p); // none left queued: claims take the oldest
      if (name === "requeue") {
        id = await runningTask(p);
        await p.ok(["fail", id, "--error", "for the requeue example"]);
      }
      if (name === "wait" || name === "claim") await enqueue(p);
      if (name === "watch" && cmd.includes("--paths")) {
        // Prints where the watcher's files are, in the private temp dir, and exits.
        const r = await sh(p, env, cmd);
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
        assert.deepEqual(JSON.parse(r.stdout), {
          lock: `${tmpOf(p)}/sparkq-st1.lock`,
          fifo: `${tmpOf(p)}/sparkq-st1-pipe`,
          done: `${tmpOf(p)}/sparkq-st1-done`,
        });
        continue;
      }
      if (name === "watch") {
        // Runs in the foreground until stopped; a second process stops it once it holds its lock.
        const stopper =
          `(until [ -e "$T/sparkq-$S.lock" ]; do sleep 0.05; done; sparkq stop --stream "$S") &`;
        const r = await sh(p, env, `${stopper} timeout 60 ${cmd}`);
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
        assert.match(r.stdout, /Watching stream 'st1'[\s\S]*Watcher stopped/);
        continue;
      }
      if (name === "run") {
        // The server with the session's watchers inside it, until `sparkq stop`.
        const lock = `${tmpOf(p)}/sparkq-st1.lock`;
        const server = sh(p, env, cmd);
        await until(() => exists(lock) && exists(`${p.dir}/sparkq.lock`), "the server");
        const stopped = await sh(p, env, "sparkq stop");
        const r = await server;
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
        assert.match(r.stdout, /Watching stream 'st1'/);
        assert.match(stopped.stdout, /Stopped the server/);
        assert.ok(!exists(lock) && !exists(`${p.dir}/sparkq.lock`));
        continue;
      }
      const r = await sh(p, env, cmd, id);
      assert.equal(r.code, 0, `'${cmd}' failed: ${r.stderr}`);
      if (name === "wait") assert.equal(JSON.parse(r.stdout).stream.name, "st1");
      if (name === "heartbeat") {
        assert.equal(JSON.parse(r.stdout).id, id);
        assert.equal(JSON.parse(await p.ok(["task", id!, "--json"])).notes.length, 1);
      }
      if (name === "complete") {
        assert.equal(JSON.parse(await p.ok(["task", id!, "--json"])).status, "succeeded");
      }
      if (name === "fail") {
        const t = JSON.parse(await p.ok(["task", id!, "--json"]));
        assert.equal(t.status, "failed");
        if (cmd.includes("--stderr-file")) assert.equal(t.stderr, "err\n");
      }
    }
  } finally {
    await p.cleanup();
  }
});

Deno.test("playbook: the FIFO loop block blocks until a wake, and the wait block claims", async () => {
  const { p, env } = await project();
  const [setup, waitBlock, watchBlock, loop] = bashBlocks(PLAYBOOK);
  assert.match(loop, /sparkq watch "\$S" --paths[\s\S]*touch "\$DONE"/);
  try {
    const s = await sh(p, env, setup);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /"instructions": "Build and report\."/);

    // Loop B with an empty stream: claim prints nothing, the flag is set, read blocks.
    assert.match(watchBlock, /sparkq watch "\$S"/);
    const w = bg(p, ["watch", "st1"]);
    await until(() => w.out.text().includes("Watching"), "the watcher");
    const loopRun = sh(p, env, loop);
    const done = `${tmpOf(p)}/sparkq-st1-done`;
    await until(() => exists(done), "the worker's done flag");
    const id = await enqueue(p);
    const r = await loopRun;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "", "claim printed nothing before the wake");
    assert.ok(!exists(done), "the watcher consumed the flag");
    // After the wake, the loop claims again (the wait block does the same in one step).
    const got = await sh(p, env, waitBlock);
    assert.equal(JSON.parse(got.stdout).id, id);
    w.child.kill("SIGTERM");
    await w.finish();
  } finally {
    await p.cleanup();
  }
});

Deno.test("sparkq-watcher.sh runs the watcher like `sparkq watch`", async () => {
  const { p, env } = await project();
  const lock = `${tmpOf(p)}/sparkq-st1.lock`;
  try {
    const bad = await sh(p, env, `'${ROOT}/sparkq-watcher.sh'`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /usage: .*sparkq-watcher\.sh <stream> \[--paths\]/);
    const paths = await sh(p, env, `'${ROOT}/sparkq-watcher.sh' st1 --paths`);
    assert.equal(paths.code, 0, paths.stderr);
    assert.equal(JSON.parse(paths.stdout).lock, lock);
    const run = sh(p, env, `'${ROOT}/sparkq-watcher.sh' st1`);
    await until(() => exists(lock), "the watcher's lock");
    assert.match(await p.ok(["stop", "--stream", "st1"]), /Stopped the watcher of stream 'st1'/);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Watching stream 'st1'/);
    assert.ok(!exists(lock));
  } finally {
    await p.cleanup();
  }
});
