/**
 * PostgreSQL next to SQLite, in one run on one machine (issue 14):
 *
 * 1. Per-command latency through the launcher `./sparkq` (build it first: `deno task
 *    bundle`): `enqueue`, `claim` and `complete` (of the task just claimed) on a SQLite
 *    project and on a PostgreSQL project, against the floor — `deno run --no-config
 *    --no-lock` of an empty script — measured in the same interleaved rounds; medians.
 * 2. In-process engine rates on both stores: enqueue + claim + complete cycles, enqueue
 *    alone, claim + complete alone; for PostgreSQL also one `SELECT 1` through its
 *    connection (the round trip every statement pays: thread hop and network).
 *
 * Each project is made by the real CLI (`setup --yes`, with `--database-url` for the
 * PostgreSQL one, in a fresh database made for this run and dropped at the end). The
 * server's settings that decide a commit's cost (fsync, synchronous_commit) are printed
 * with the figures.
 *
 * SPARKQ_BENCH_PG=postgres://user@127.0.0.1:5432/postgres \
 *   deno run --allow-read --allow-write=/tmp --allow-run --allow-env --allow-net=127.0.0.1 \
 *   bench/pg_cycles.ts [--rounds N] [--ops N]
 * (SPARKQ_TEST_PG is used when SPARKQ_BENCH_PG is unset.) The base URL's user must be able
 * to create databases.
 */
import postgres from "postgres";
import { claim, complete, enqueue } from "../src/engine/queue.ts";
import { createSession } from "../src/engine/sessions.ts";
import { createStream } from "../src/engine/streams.ts";
import type { EngineContext } from "../src/engine/context.ts";
import {
  type BenchProject,
  benchProject,
  DENO,
  fmt,
  type Form,
  machine,
  median,
  ROOT,
  timeProcess,
} from "./queue_bench_lib.ts";

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(Deno.args[i + 1]);
}
const ROUNDS = option("rounds", 30);
const WARMUP = 3;
const OPS = option("ops", 2000);
const RUNS = 3;

const BASE = Deno.env.get("SPARKQ_BENCH_PG") || Deno.env.get("SPARKQ_TEST_PG");
if (!BASE) {
  console.error("set SPARKQ_BENCH_PG (or SPARKQ_TEST_PG) to a PostgreSQL base URL");
  Deno.exit(2);
}
const LAUNCHER: Form = { label: "./sparkq", cmd: `${ROOT}/sparkq`, pre: [], inProject: true };
try {
  Deno.statSync(LAUNCHER.cmd);
} catch {
  console.error("./sparkq is missing: run 'deno task bundle' first");
  Deno.exit(2);
}

/** Runs statements on the server of BASE (its own connection each time). */
async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>, url = BASE!): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

const dbName = `pgbench_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const dbUrl = (() => {
  const u = new URL(BASE);
  u.pathname = `/${dbName}`;
  return u.href;
})();

const where = await machine();
const settings = await admin(async (sql) => {
  const show = async (k: string) => String((await sql.unsafe(`SHOW ${k}`))[0][k]);
  const out: Record<string, string> = {};
  for (const k of ["server_version", "fsync", "synchronous_commit", "shared_buffers"]) {
    out[k] = await show(k);
  }
  await sql.unsafe(`CREATE DATABASE "${dbName}"`);
  return out;
});

const projects: { label: string; p: BenchProject }[] = [];
try {
  projects.push({ label: "SQLite", p: await benchProject("sparkq-bench-sqlite-") });
  projects.push({
    label: "PostgreSQL",
    p: await benchProject("sparkq-bench-pg-", ["--database-url", dbUrl]),
  });

  // 1. Per-command latency through ./sparkq, interleaved with the floor.
  const empty = `${projects[0].p.dir}/empty.ts`;
  await Deno.writeTextFile(empty, "");
  for (const { p } of projects) {
    await p.cli(["session", "create", "bench"], LAUNCHER);
    await p.cli(["stream", "create", "b", "--session", "bench"], LAUNCHER);
  }
  const times = new Map<string, number[]>();
  const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const keep = round >= WARMUP;
    const floor = await timeProcess(DENO, ["run", "--no-config", "--no-lock", empty]);
    if (keep) add("floor", floor);
    for (const { label, p } of projects) {
      const e = await p.cli(["enqueue", "run-bash", '{"cmd":"true"}', "--stream", "b"], LAUNCHER);
      const c = await p.cli(["claim", "--stream", "b"], LAUNCHER);
      const id = JSON.parse(c.stdout).id;
      const d = await p.cli(["complete", id, "--result", '{"summary":"ok"}'], LAUNCHER);
      if (keep) {
        add(`${label}|enqueue`, e.ms);
        add(`${label}|claim`, c.ms);
        add(`${label}|complete`, d.ms);
      }
    }
  }

  // 2. In-process engine rates.
  const rates = new Map<string, number[]>();
  const rate = async (key: string, n: number, fn: () => unknown) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    rates.set(key, [...(rates.get(key) ?? []), n / ((performance.now() - t0) / 1000)]);
  };
  const engines: { label: string; ctx: EngineContext & { close(): void } }[] = [];
  try {
    for (const { label, p } of projects) {
      const ctx = await p.engine();
      engines.push({ label, ctx });
      createSession(ctx, { name: "engine" });
      createStream(ctx, { name: "x", session: "engine" });
    }
    const ops = (ctx: EngineContext) => ({
      put: () => enqueue(ctx, { stream: "x", tool: "run-bash", payload: { cmd: "echo hi" } }),
      take: () => {
        const t = claim(ctx, "x")!;
        complete(ctx, t.id, { result: { summary: "ok" }, stdout: "hi\n" });
      },
    });
    for (const { ctx } of engines) {
      const { put, take } = ops(ctx);
      for (let i = 0; i < 200; i++) { // warm-up
        await put();
        take();
      }
    }
    for (let r = 0; r < RUNS; r++) {
      for (const { label, ctx } of engines) {
        const { put, take } = ops(ctx);
        await rate(`${label}|cycle`, OPS, async () => {
          await put();
          take();
        });
        await rate(`${label}|enqueue`, OPS, put);
        await rate(`${label}|claim + complete`, OPS, take);
        if (label === "PostgreSQL") {
          await rate(`${label}|SELECT 1`, OPS, () => ctx.db.get("SELECT 1"));
        }
      }
    }
  } finally {
    for (const { ctx } of engines) ctx.close();
  }

  // Report.
  const floor = median(times.get("floor")!);
  const out: string[] = [];
  out.push(`PostgreSQL next to SQLite — ${where}`);
  out.push(
    `PostgreSQL ${settings.server_version}, local cluster on the same machine over TCP ` +
      `127.0.0.1, fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}, ` +
      `shared_buffers=${settings.shared_buffers}; SQLite: WAL, synchronous=NORMAL, on /tmp.`,
  );
  out.push("");
  out.push(
    `Per command through ./sparkq: median wall time of ${ROUNDS} interleaved rounds ` +
      `(after ${WARMUP} warm-up); floor = \`deno run --no-config --no-lock\` of an empty script, ` +
      `${fmt(floor)} ms in the same rounds.`,
  );
  out.push("");
  out.push("| command | SQLite ms | × floor | PostgreSQL ms | × floor | PG − SQLite ms |");
  out.push("|---|---:|---:|---:|---:|---:|");
  for (const cmd of ["enqueue", "claim", "complete"]) {
    const s = median(times.get(`SQLite|${cmd}`)!);
    const g = median(times.get(`PostgreSQL|${cmd}`)!);
    out.push(
      `| \`./sparkq ${cmd}\` | ${fmt(s)} | ${fmt(s / floor, 2)} | ${fmt(g)} | ${
        fmt(g / floor, 2)
      } | ${fmt(g - s)} |`,
    );
  }
  out.push("");
  out.push(`In-process engine: ${RUNS} runs of ${OPS} operations per measure and store, medians.`);
  out.push("");
  out.push("| measure (per second) | SQLite | PostgreSQL | runs (SQLite; PostgreSQL) |");
  out.push("|---|---:|---:|---|");
  for (const m of ["cycle", "enqueue", "claim + complete", "SELECT 1"]) {
    const s = rates.get(`SQLite|${m}`);
    const g = rates.get(`PostgreSQL|${m}`)!;
    const name = m === "cycle"
      ? "enqueue + claim + complete (one cycle)"
      : m === "SELECT 1"
      ? "`SELECT 1` through the PostgreSQL connection (round trip)"
      : `${m} alone`;
    const runs = (xs: number[] | undefined) => xs ? xs.map((x) => fmt(x, 0)).join(", ") : "—";
    out.push(
      `| ${name} | ${s ? fmt(median(s), 0) : "—"} | ${fmt(median(g), 0)} | ${runs(s)}; ${
        runs(g)
      } |`,
    );
  }
  console.log(out.join("\n"));
} finally {
  for (const { p } of projects) await p.cleanup();
  await admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
}
