/**
 * The bundled program refuses exactly as the source does (issue 9, item 2): a table of
 * refusals — hot half and cold half (config parsing, setup, the server) — runs under
 * `deno run main.ts` and through a freshly built launcher (`./sparkq`, dist/sparkq.js)
 * in the same folders, and the exit code, stdout and stderr must be identical, and a
 * proper refusal (`Error: …`, or its JSON form under `--json`; never "unexpected
 * failure", no stack trace).
 */
import assert from "node:assert/strict";
import {
  freshLauncher,
  type RunOptions,
  type RunResult,
  sparkq,
  type TempProject,
  tempProject,
} from "./helpers.ts";
import { startServer } from "./server_helpers.ts";

/** One refusal: the command, where it runs, and what it may read on stdin. */
interface Case {
  name: string;
  args: string[];
  /** The folder the user is in (default: the project's). */
  cwd?: string;
  stdin?: string;
  /** The exit code, when it is not 1. */
  code?: number;
  /** The refusal is one line of JSON (`--json` on the command line), not `Error: …`. */
  json?: boolean;
}

/** Runs a case through the source and through the launcher; both must refuse alike. */
async function parity(launcher: string, c: Case, dir: string): Promise<RunResult> {
  const opts: RunOptions = {
    cwd: c.cwd ?? dir,
    stdin: c.stdin,
    env: { SPARKQ_TMPDIR: `${dir}/tmp` },
  };
  const source = await sparkq(c.args, opts);
  const bundled = await sparkq(c.args, { ...opts, launcher });
  const where = `${c.name}: sparkq ${c.args.join(" ")}`;
  assert.deepEqual(bundled, source, `${where}: the launcher differs from the source`);
  assert.equal(source.code, c.code ?? 1, `${where}: exit code\n${source.stderr}`);
  if (c.json) {
    const body = JSON.parse(source.stderr);
    assert.ok(typeof body.error === "string" && typeof body.code === "string", where);
  } else {
    assert.match(source.stderr, /^Error: /, `${where}: stderr ${source.stderr}`);
  }
  assert.doesNotMatch(source.stderr, /unexpected failure|\n\s+at |Stack backtrace/, where);
  return source;
}

async function project(): Promise<{ p: TempProject; queued: string; running: string }> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "auth", "--session", "s1"]);
  await p.ok(["stream", "create", "old", "--session", "s1"]);
  await p.ok(["stream", "end", "old"]);
  const running = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
  await p.ok(["claim", "-s", "auth"]);
  const queued = (await p.ok(["enqueue", "run-bash", "{}", "-s", "auth"])).trim();
  return { p, queued, running };
}

Deno.test("refusals: the freshly built launcher refuses exactly as the source", async () => {
  const launcher = await freshLauncher();
  const { p, queued, running } = await project();
  const empty = await Deno.makeTempDir({ prefix: "sparkq-parity-empty-" });
  const bogus = await Deno.makeTempDir({ prefix: "sparkq-parity-bogus-" });
  const broken = await Deno.makeTempDir({ prefix: "sparkq-parity-broken-" });
  try {
    await Deno.writeTextFile(`${bogus}/sparkq.yml`, "project:\n  name: x\n  bogus_key: 1\n");
    await Deno.writeTextFile(`${broken}/sparkq.yml`, "project: [unclosed\n");
    const cases: Case[] = [
      // The examples: refusals raised in the cold half.
      { name: "unknown key in sparkq.yml", args: ["status"], cwd: bogus },
      { name: "unknown key, another command", args: ["tasks"], cwd: bogus },
      { name: "sparkq.yml is not YAML", args: ["status"], cwd: broken },
      { name: "setup without a terminal", args: ["setup"], cwd: empty },
      { name: "run for an unknown session", args: ["run", "--session", "nope"] },
      // The command line.
      { name: "unknown command", args: ["frobnicate"], code: 2 },
      { name: "misspelt command", args: ["taks"], code: 2 },
      { name: "unknown flag", args: ["tasks", "--bogus"], code: 2 },
      { name: "missing argument", args: ["enqueue", "run-bash"], code: 2 },
      { name: "bad duration", args: ["purge", "--older-than", "3x"], code: 2 },
      { name: "bad number", args: ["tasks", "--limit", "many"], code: 2 },
      { name: "bad choice", args: ["tasks", "--status", "done"], code: 2 },
      // The queue.
      { name: "unknown stream", args: ["enqueue", "run-bash", "{}", "-s", "auht"] },
      { name: "ended stream", args: ["enqueue", "run-bash", "{}", "-s", "old"] },
      { name: "unknown tool", args: ["enqueue", "run-bsh", "{}", "-s", "auth"] },
      { name: "bad JSON payload", args: ["enqueue", "run-bash", "{cmd: ls}", "-s", "auth"] },
      { name: "payload not an object", args: ["enqueue", "run-bash", "[1,2]", "-s", "auth"] },
      { name: "bad JSON on stdin", args: ["enqueue", "run-bash", "-", "-s", "auth"], stdin: "x" },
      {
        name: "complete of a queued task",
        args: ["complete", queued, "--result", '{"summary":"done"}'],
      },
      { name: "result without summary", args: ["complete", running, "--result", '{"n":1}'] },
      { name: "claim without a stream", args: ["claim"] },
      { name: "peek of an unknown stream", args: ["peek", "-s", "nope"] },
      { name: "unknown task", args: ["task", "tsk_ffffffffffff"] },
      { name: "unknown task, as JSON", args: ["task", "tsk_ffffffffffff", "--json"], json: true },
      {
        name: "complete of a queued task, as JSON",
        args: ["complete", queued, "--summary", "done", "--json"],
        json: true,
      },
      { name: "heartbeat of a queued task", args: ["heartbeat", queued] },
      { name: "requeue of a queued task", args: ["requeue", queued] },
      { name: "tasks of an unknown stream", args: ["tasks", "--stream", "auht"] },
      { name: "duplicate session", args: ["session", "create", "s1"] },
      // Finding the configuration.
      { name: "no sparkq.yml", args: ["status"], cwd: empty },
      { name: "no sparkq.yml, queue command", args: ["peek", "-s", "auth"], cwd: empty },
      { name: "--config names no file", args: ["status", "--config", `${empty}/none.yml`] },
    ];
    for (const c of cases) await parity(launcher, c, p.dir);
  } finally {
    await p.cleanup();
    for (const d of [empty, bogus, broken]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("refusals: 'run' while a server runs, the same through the launcher", async () => {
  const launcher = await freshLauncher();
  const s = await startServer();
  try {
    const r = await parity(launcher, { name: "server already running", args: ["run"] }, s.p.dir);
    assert.match(r.stderr, new RegExp(`already running.*${s.pid}`));
    const again = { name: "server already running (no watchers)", args: ["run", "--no-watchers"] };
    await parity(launcher, again, s.p.dir);
  } finally {
    assert.equal(await s.stop(), 0);
    await s.p.cleanup();
  }
});
