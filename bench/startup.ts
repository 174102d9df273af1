/**
 * Start-up benchmark (`deno task bench`): whole-process wall time of the CLI forms,
 * against the floor measured in the same run — `deno run --no-config --no-lock` of an
 * empty script. Rounds are interleaved (every command once per round, in order), so
 * load from other processes hits all of them alike; the figures are medians.
 *
 * Measured on a temp project in /tmp: the launcher `./sparkq` for `session list`,
 * `enqueue`, `peek`, `claim`, `heartbeat` and `complete` (of the task just claimed) and
 * `tasks`;
 * `deno run --no-config` of dist/sparkq.js; and `deno task sparkq`. The bundle is
 * rebuilt first. Results go to the `## Start-up` section of BENCHMARKS.md (`--dry`:
 * print only). `--runs N` (default 40, at least 30), `--warmup N` (default 5).
 */
import { absoluteFlags, taskFlags } from "../scripts/build.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const LAUNCHER = `${ROOT}/sparkq`;
/** The launcher's target: median at most this many times the floor. */
const TARGET = 1.6;

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(Deno.args[i + 1]);
}
const RUNS = Math.max(30, option("runs", 40));
const WARMUP = option("warmup", 5);
const DRY = Deno.args.includes("--dry");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; returns its output and wall time. */
async function timed(cmd: string, args: string[], cwd: string): Promise<Result> {
  const start = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdin: "null",
    // `deno task bench` sets INIT_CWD, which SparkQ would take as the user's directory.
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", INIT_CWD: cwd },
  }).output();
  const ms = performance.now() - start;
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), ms };
}

async function must(cmd: string, args: string[], cwd: string): Promise<Result> {
  const r = await timed(cmd, args, cwd);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** One benchmarked command: `run` is called once per round with the round's state. */
interface Case {
  name: string;
  /** What the row is compared with: the floor, or nothing (the floor itself). */
  launcher?: boolean;
  run: (state: Round) => Promise<Result>;
  times: number[];
}
interface Round {
  claimed?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** The CPU model from /proc/cpuinfo (Deno lets only a full-permission process read it). */
async function cpuModel(): Promise<string> {
  const r = await timed(DENO, [
    "eval",
    "--no-config",
    "try { console.log(Deno.readTextFileSync('/proc/cpuinfo')" +
    ".match(/^model name\\s*:\\s*(.+)$/m)?.[1] ?? 'unknown') } catch { console.log('unknown') }",
  ], "/");
  return r.stdout.trim() || "unknown";
}

async function main(): Promise<void> {
  console.log("Building dist/sparkq.js and ./sparkq ...");
  await must(DENO, ["task", "--quiet", "bundle"], ROOT);

  const dir = await Deno.makeTempDir({ prefix: "sparkq-bench-" });
  try {
    const empty = `${dir}/empty.js`;
    await Deno.writeTextFile(empty, "");
    const proj = `${dir}/project`;
    await Deno.mkdir(proj);
    const sq = (args: string[]) => timed(LAUNCHER, args, proj);
    await must(LAUNCHER, ["setup", "--yes", "--name", "bench", "--repo-path", "."], proj);
    await must(LAUNCHER, ["session", "create", "bench"], proj);
    await must(LAUNCHER, ["stream", "create", "b", "--session", "bench"], proj);

    const parent = ROOT.replace(/\/[^/]*$/, "") || "/";
    const bundleArgs = [
      "run",
      "--no-config",
      "--no-lock",
      ...absoluteFlags(await taskFlags(), ROOT, parent),
      `${ROOT}/dist/sparkq.js`,
    ];
    const cases: Case[] = [
      {
        name: "floor: deno run --no-config --no-lock empty.js",
        run: () => timed(DENO, ["run", "--no-config", "--no-lock", empty], proj),
        times: [],
      },
      {
        name: "./sparkq session list",
        launcher: true,
        run: () => sq(["session", "list"]),
        times: [],
      },
      {
        name: "deno run --no-config dist/sparkq.js session list",
        run: () => timed(DENO, [...bundleArgs, "session", "list"], proj),
        times: [],
      },
      {
        name: "deno task sparkq session list",
        run: () =>
          timed(DENO, [
            "task",
            "--quiet",
            "--config",
            `${ROOT}/deno.json`,
            "sparkq",
            "session",
            "list",
          ], proj),
        times: [],
      },
      {
        name: "./sparkq enqueue",
        launcher: true,
        run: () => sq(["enqueue", "run-bash", '{"script":"true"}', "--stream", "b"]),
        times: [],
      },
      {
        name: "./sparkq peek",
        launcher: true,
        run: () => sq(["peek", "--stream", "b"]),
        times: [],
      },
      {
        name: "./sparkq claim",
        launcher: true,
        run: async (round) => {
          const r = await sq(["claim", "--stream", "b"]);
          round.claimed = r.code === 0 ? JSON.parse(r.stdout).id : undefined;
          return r;
        },
        times: [],
      },
      {
        name: "./sparkq heartbeat",
        launcher: true,
        run: (round) => sq(["heartbeat", round.claimed ?? "missing"]),
        times: [],
      },
      {
        name: "./sparkq complete",
        launcher: true,
        run: (round) =>
          sq(["complete", round.claimed ?? "missing", "--result", '{"summary":"ok"}']),
        times: [],
      },
      {
        name: "./sparkq tasks",
        launcher: true,
        run: () => sq(["tasks"]),
        times: [],
      },
    ];

    console.log(
      `Measuring: ${WARMUP} warm-up + ${RUNS} interleaved rounds of ${cases.length} commands`,
    );
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const round: Round = {};
      for (const c of cases) {
        const r = await c.run(round);
        if (r.code !== 0) throw new Error(`${c.name} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        if (i >= WARMUP) c.times.push(r.ms);
      }
    }

    const floor = median(cases[0].times);
    const rows = cases.map((c) => {
      const m = median(c.times);
      return {
        name: c.name,
        median: m,
        p10: quantile(c.times, 0.1),
        p90: quantile(c.times, 0.9),
        ratio: m / floor,
        launcher: c.launcher,
      };
    });
    const launchers = rows.filter((r) => r.launcher);
    const worst = launchers.reduce((a, b) => b.ratio > a.ratio ? b : a);
    const launcherWorst = worst.ratio;
    const over = launchers.filter((r) => r.ratio > TARGET).map((r) => `\`${r.name}\``);
    const verdict = over.length === 0
      ? `met: every launcher command is at most ${TARGET}× the floor`
      : `MISSED: ${over.join(", ")} above ${TARGET}× the floor`;

    const table = [
      "| command | median ms | p10–p90 ms | × floor |",
      "|---|---:|---:|---:|",
      ...rows.map((r) =>
        `| \`${r.name}\` | ${r.median.toFixed(1)} | ${r.p10.toFixed(0)}–${r.p90.toFixed(0)} | ${
          r.ratio.toFixed(2)
        } |`
      ),
    ].join("\n");
    const date = new Date().toISOString().slice(0, 10);
    const machine =
      `${navigator.hardwareConcurrency} cores (nproc), ${await cpuModel()}, deno ${Deno.version.deno}`;
    const section = `## Start-up

Whole-process wall time, median of ${RUNS} interleaved rounds after ${WARMUP} warm-up
rounds, measured by \`deno task bench\` (bench/startup.ts) on ${date}; machine: ${machine}.
The floor is \`deno run --no-config --no-lock\` of an empty script, measured in the same run;
ratios are what to compare across machines. \`enqueue\`, \`peek\`, \`claim\`, \`heartbeat\` and
\`complete\` work on one stream of a temp project: each round enqueues a task, peeks it,
claims it, sends a heartbeat for it and completes it.

${table}

Target: every launcher command at most ${TARGET}× the floor — ${verdict}; slowest launcher
command \`${worst.name}\` at ${launcherWorst.toFixed(2)}× the floor.
`;
    console.log(`\n${table}\n\nMachine: ${machine}\nTarget ${verdict}`);
    if (!DRY) {
      await record(section);
      console.log("\nRecorded in BENCHMARKS.md (## Start-up).");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Formats Markdown the way `deno fmt` (and so CI's `deno fmt --check`) wants it. */
async function fmtMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(DENO, {
    args: ["fmt", "--ext", "md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** Replaces (or appends) the `## Start-up` section of BENCHMARKS.md, nothing else. */
async function record(raw: string): Promise<void> {
  const section = await fmtMarkdown(raw);
  const path = `${ROOT}/BENCHMARKS.md`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    text = "# Benchmarks\n";
  }
  const start = text.search(/^## Start-up\s*$/m);
  if (start === -1) {
    text = `${text.replace(/\n*$/, "\n\n")}${section}`;
  } else {
    const rest = text.slice(start + 1);
    const next = rest.search(/^## /m);
    const end = next === -1 ? text.length : start + 1 + next;
    text = `${text.slice(0, start)}${section}${next === -1 ? "" : "\n"}${text.slice(end)}`;
  }
  await Deno.writeTextFile(path, text);
}

if (import.meta.main) await main();
