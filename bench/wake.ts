/**
 * Worker wake-up latency and idle cost (SPEC §9 targets: a worker is woken within a
 * second of an enqueue; aim p50 ≤ 200 ms, p99 ≤ 1 s; an idle watcher uses < 1% of a core).
 *
 * 1. FIFO: a `sparkq watch` process; the bench plays the worker (done flag set, a reader
 *    blocked on the FIFO). Each round runs `sparkq enqueue` as a CLI process and times
 *    the `wake` line, from the enqueue's start and from its exit (the task committed).
 * 2. wait: each round starts `sparkq wait --stream S`, lets it settle, runs `sparkq enqueue`,
 *    and times the wait process printing the claimed task and exiting.
 *    Baseline, same run: the enqueue process's own duration (what any CLI call costs).
 * 3. Idle CPU over IDLE_S seconds, from /proc/<pid>/stat (utime + stime), of: the watcher
 *    with the done flag set and nothing queued (the idle state of a worker's stream), a `sparkq wait` with nothing to claim, and as baselines a
 *    Deno process doing nothing and one whose only work is an empty 100 ms interval.
 *
 * deno run --allow-read --allow-write=/tmp --allow-run --allow-env bench/wake.ts [ROUNDS] [IDLE_S]
 */
import { openDb } from "../src/storage/db.ts";
import { claim } from "../src/engine/queue.ts";
import type { EngineContext } from "../src/engine/context.ts";
import { loadConfig } from "../src/config/load.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const FLAGS = String(JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks.sparkq)
  .split(/\s+/).filter((w) => w.startsWith("--"));
const ROUNDS = Number(Deno.args[0] ?? 100);
const IDLE_S = Number(Deno.args[1] ?? 60);

const dir = await Deno.makeTempDir({ prefix: "sparkq-bench-wake-" });
const tmp = `${dir}/tmp`;
await Deno.mkdir(tmp);
const env = { INIT_CWD: dir, NO_COLOR: "1", SPARKQ_TMPDIR: tmp, RUST_BACKTRACE: "0" };

function sparkq(args: string[]): Deno.Command {
  return new Deno.Command(DENO, {
    args: ["run", ...FLAGS, `${ROOT}/main.ts`, ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function cli(args: string[]): Promise<string> {
  const out = await sparkq(args).output();
  if (!out.success) {
    throw new Error(`sparkq ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Runs `sparkq enqueue` on stream `s`; returns its start and exit times. */
async function timedEnqueue(s: string): Promise<{ start: number; end: number }> {
  const start = performance.now();
  await cli(["enqueue", "run-bash", '{"command":"true"}', "--stream", s]);
  return { start, end: performance.now() };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function summary(xs: number[]): string {
  const f = (n: number) => `${Math.round(n)} ms`;
  return `p50 ${f(pct(xs, 50))}, p90 ${f(pct(xs, 90))}, p99 ${f(pct(xs, 99))}, max ${
    f(Math.max(...xs))
  }`;
}

function jitter(): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * 150));
}

/** Reads a /proc file (Deno wants --allow-all to read /proc itself, so `cat` does it). */
async function readProc(path: string): Promise<string> {
  const out = await new Deno.Command("cat", { args: [path], stderr: "null" }).output();
  return new TextDecoder().decode(out.stdout);
}

/** CPU seconds (user + system) a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readProc(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // after "pid (comm) ": state is field 3, so utime (14) and stime (15) sit at 11 and 12
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
const CLK_TCK = Number(
  new TextDecoder().decode(
    (await new Deno.Command("getconf", { args: ["CLK_TCK"] }).output())
      .stdout,
  ).trim(),
) || 100;

async function machine(): Promise<string> {
  const cpu = ((await readProc("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1]) ??
    "unknown CPU";
  const load = (await readProc("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  return `${new Date().toISOString().slice(0, 10)}, ${cpu}, ${navigator.hardwareConcurrency} ` +
    `cores, Deno ${Deno.version.deno}, load average before the run ${load}`;
}

const where = await machine();
await cli(["setup", "--yes", "--name", "bench", "--repo-path", "."]);
await cli(["session", "create", "bench"]);
await cli(["stream", "create", "fifo", "--session", "bench"]);
await cli(["stream", "create", "wait", "--session", "bench"]);

const loaded = await loadConfig(`${dir}/sparkq.yml`);
const db = openDb(loaded.dbPath);
const ctx: EngineContext = { db, config: loaded.config };

// 1. FIFO wake-ups.
const watcher = sparkq(["watch", "fifo"]).spawn();
const lock = `${tmp}/sparkq-fifo.lock`;
const done = `${tmp}/sparkq-fifo-done`;
const fifo = `${tmp}/sparkq-fifo-pipe`;
while (!(await exists(lock)) || !(await exists(fifo))) await sleep(20);
const reader = await Deno.open(fifo, { read: true });
const lines = reader.readable.pipeThrough(new TextDecoderStream()).getReader();
let pending = "";
async function nextLine(): Promise<string> {
  while (!pending.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error("the FIFO closed");
    pending += value;
  }
  const i = pending.indexOf("\n");
  const line = pending.slice(0, i);
  pending = pending.slice(i + 1);
  return line;
}

const fifoFromStart: number[] = [];
const fifoFromCommit: number[] = [];
const enqueueMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  Deno.writeTextFileSync(done, "");
  await jitter();
  const woke = nextLine().then((l) => ({ l, at: performance.now() }));
  const e = await timedEnqueue("fifo");
  const w = await woke;
  if (w.l !== "wake") throw new Error(`unexpected FIFO line ${w.l}`);
  fifoFromStart.push(w.at - e.start);
  fifoFromCommit.push(w.at - e.end);
  enqueueMs.push(e.end - e.start);
  if (!claim(ctx, "fifo")) throw new Error("no task to claim after the wake");
}

// 2. sparkq wait.
const waitFromStart: number[] = [];
const waitFromCommit: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const w = sparkq(["wait", "--stream", "wait", "--timeout", "60"]).spawn();
  await sleep(350 + Math.random() * 150); // let it start and poll
  const e = await timedEnqueue("wait");
  const out = await w.output();
  const at = performance.now();
  if (!new TextDecoder().decode(out.stdout).includes('"status": "running"')) {
    throw new Error("wait printed no claimed task");
  }
  waitFromStart.push(at - e.start);
  waitFromCommit.push(at - e.end);
  enqueueMs.push(e.end - e.start);
}

// 3. Idle CPU: watcher with the flag set and nothing queued, an idle wait, an idle Deno.
Deno.writeTextFileSync(done, "");
const idleWait = sparkq(["wait", "--stream", "wait", "--timeout", String(IDLE_S + 30)]).spawn();
const idleDeno = new Deno.Command(DENO, {
  args: ["eval", "setInterval(() => {}, 1 << 30)"],
  stdout: "null",
  stderr: "null",
}).spawn();
const idleTimer = new Deno.Command(DENO, {
  args: ["eval", "setInterval(() => {}, 100)"],
  stdout: "null",
  stderr: "null",
}).spawn();
await sleep(3000); // past start-up
const pids = {
  watcher: watcher.pid,
  wait: idleWait.pid,
  baseline: idleDeno.pid,
  timer: idleTimer.pid,
};
const before: Record<string, number> = {};
for (const [k, pid] of Object.entries(pids)) before[k] = await cpuSeconds(pid);
const t0 = performance.now();
await sleep(IDLE_S * 1000);
const wall = (performance.now() - t0) / 1000;
const idle: Record<string, number> = {};
for (const [k, pid] of Object.entries(pids)) {
  idle[k] = (await cpuSeconds(pid) - before[k]) / wall * 100;
}

const children = [watcher, idleWait, idleDeno, idleTimer];
for (const child of children) child.kill("SIGTERM");
await Promise.all(children.map((c) => c.status));
await lines.cancel().catch(() => {});
db.close();
await Deno.remove(dir, { recursive: true });

const ok = (v: number, limit: number) => v <= limit ? "meets" : "MISSES";
const report = [
  `Measured ${where}. \`${ROUNDS}\` enqueues per method; idle over ${IDLE_S} s.`,
  "",
  "| what | latency |",
  "|---|---|",
  `| baseline: one \`sparkq enqueue\` process (start → exit) | ${summary(enqueueMs)} |`,
  `| FIFO \`wake\`, from the enqueue's start | ${summary(fifoFromStart)} |`,
  `| FIFO \`wake\`, from the enqueue process's exit (< 0: the wake came first) | ${
    summary(fifoFromCommit)
  } |`,
  `| \`sparkq wait\` returns the task, from the enqueue's start | ${summary(waitFromStart)} |`,
  `| \`sparkq wait\` returns the task, from the enqueue process's exit | ${
    summary(waitFromCommit)
  } |`,
  "",
  `Targets (from the enqueue's start): FIFO p50 ${ok(pct(fifoFromStart, 50), 200)} ≤ 200 ms, ` +
  `p99 ${ok(pct(fifoFromStart, 99), 1000)} ≤ 1 s; wait p50 ${
    ok(pct(waitFromStart, 50), 200)
  } ≤ 200 ms, p99 ${ok(pct(waitFromStart, 99), 1000)} ≤ 1 s.`,
  "",
  "| idle process | CPU (% of one core) |",
  "|---|---|",
  `| \`sparkq watch\`, done flag set, nothing queued | ${idle.watcher.toFixed(2)}% (${
    ok(idle.watcher, 1)
  } < 1%) |`,
  `| \`sparkq wait\`, nothing to claim | ${idle.wait.toFixed(2)}% |`,
  `| baseline: an idle \`deno eval\` | ${idle.baseline.toFixed(2)}% |`,
  `| baseline: \`deno eval\` with an empty 100 ms interval | ${idle.timer.toFixed(2)}% |`,
];
console.log(report.join("\n"));

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
