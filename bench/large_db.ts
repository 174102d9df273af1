/**
 * Scale: a database with 1,000,000 finished tasks against one with 1,000, each with 200
 * queued tasks in stream X. Compares `claim --stream X`, `tasks --stream X --status queued
 * --limit 50` and `task <id>` (whole CLI processes, and the engine calls in-process),
 * then times `purge` of the 1,000,000 old tasks (target: under 10 s).
 *
 * The schema, session and streams come from the CLI (`setup --yes`, `session create`,
 * `stream create`); the tasks are inserted by one INSERT … SELECT over a recursive CTE in
 * this script's own node:sqlite connection.
 *
 * deno run --allow-read --allow-write=/tmp --allow-run --allow-env bench/large_db.ts
 */
import { DatabaseSync } from "node:sqlite";
import { insertQueuedInX, numberStreams, sqlStamp as stamp } from "./seed_sql.ts";
import { claim, getTask, listTasks } from "../src/engine/queue.ts";
import { type BenchProject, benchProject, fmt, machine, median } from "./queue_bench_lib.ts";

const SIZES = [1_000, 1_000_000];
const QUEUED = 200;
const ROUNDS = 10;
const WARMUP = 2;
const INPROC = 50;

/** Inserts `finished` old finished tasks over 10 streams and QUEUED queued ones in X. */
function build(path: string, finished: number): number {
  const db = new DatabaseSync(path);
  const t0 = performance.now();
  try {
    db.exec("PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;");
    numberStreams(db);
    const nowS = Date.now() / 1000;
    db.exec("BEGIN");
    // finished 40 to 10 days ago; 1 in 10 failed
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :n - 1)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
         result, error, stdout, stderr, created_at, updated_at, started_at, finished_at)
       SELECT 'tsk_' || lower(hex(randomblob(6))), ks.id,
         CASE WHEN i % 5 = 0 THEN 'llm-haiku' ELSE 'run-bash' END,
         CASE WHEN i % 5 = 0 THEN 'LLM_LITE' ELSE 'MEDIUM_SCRIPT' END,
         '{"cmd":"echo ' || i || '"}',
         CASE WHEN i % 10 = 9 THEN 'failed' ELSE 'succeeded' END, 300, 1,
         CASE WHEN i % 10 = 9 THEN NULL ELSE '{"summary":"did ' || i || '"}' END,
         CASE WHEN i % 10 = 9 THEN 'exit status 1' ELSE NULL END,
         'output of task ' || i || char(10), NULL,
         ${stamp(":t0 + i * :step")}, ${stamp(":t0 + i * :step + 2")},
         ${stamp(":t0 + i * :step + 1")}, ${stamp(":t0 + i * :step + 2")}
       FROM seq JOIN ks ON ks.k = i % 10`,
    ).run({ n: finished, t0: nowS - 40 * 86400, step: (30 * 86400) / finished });
    // queued in the last hour, all in stream X
    insertQueuedInX(db, QUEUED, nowS - 3600);
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return performance.now() - t0;
}

/** The ID of the task in the middle of the table (IDs are random, as SparkQ makes them). */
function sampleTaskId(path: string, size: number): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT id FROM tasks WHERE rowid = ?").get(Math.floor(size / 2) + 1);
    return String((row as { id: string }).id);
  } finally {
    db.close();
  }
}

interface Setup {
  size: number;
  p: BenchProject;
  buildMs: number;
  sampleId: string;
}

const where = await machine();
const setups: Setup[] = [];
try {
  for (const size of SIZES) {
    const p = await benchProject(`sparkq-bench-${size}-`);
    setups.push({ size, p, buildMs: 0, sampleId: "" });
    await p.cli(["session", "create", "bench"]);
    for (const s of ["X", ...Array.from({ length: 9 }, (_, i) => `s${i}`)]) {
      await p.cli(["stream", "create", s, "--session", "bench"]);
    }
    const s = setups[setups.length - 1];
    s.buildMs = build(p.db, size);
    s.sampleId = sampleTaskId(p.db, size);
  }

  // whole CLI processes, interleaved small/big round by round
  const cli = new Map<string, number[]>();
  const add = (k: string, ms: number) => cli.set(k, [...(cli.get(k) ?? []), ms]);
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    for (const s of setups) {
      const runs: [string, string[]][] = [
        ["claim --stream X", ["claim", "--stream", "X"]],
        ["tasks --stream X --status queued --limit 50", [
          "tasks",
          "--stream",
          "X",
          "--status",
          "queued",
          "--limit",
          "50",
        ]],
        ["task <id>", ["task", s.sampleId]],
      ];
      for (const [name, args] of runs) {
        const { stdout, ms } = await s.p.cli(args);
        if (name === "claim --stream X" && !stdout.includes('"status": "running"')) {
          throw new Error(`claim returned nothing on the ${s.size} DB`);
        }
        if (round >= WARMUP) add(`${s.size}|${name}`, ms);
      }
    }
  }

  // the same operations in-process (µs), which shows the query cost without start-up
  const inproc = new Map<string, number>();
  for (const s of setups) {
    const ctx = await s.p.engine();
    try {
      const time = (name: string, fn: () => unknown) => {
        const xs: number[] = [];
        for (let i = 0; i < INPROC; i++) {
          const t0 = performance.now();
          if (!fn()) throw new Error(`${name} returned nothing`);
          xs.push((performance.now() - t0) * 1000);
        }
        inproc.set(`${s.size}|${name}`, median(xs));
      };
      time("claim --stream X", () => claim(ctx, "X"));
      time(
        "tasks --stream X --status queued --limit 50",
        () => listTasks(ctx, { stream: "X", status: "queued", limit: 50 }).length === 50,
      );
      time("task <id>", () => getTask(ctx, s.sampleId));
    } finally {
      ctx.close();
    }
  }

  // purge of every finished task (all are older than 3 days)
  const purge: { size: number; ms: number; out: string }[] = [];
  for (const s of setups) {
    const { stdout, ms } = await s.p.cli(["purge", "--older-than", "3d"]);
    const n = Number(/Purged (\d+)/.exec(stdout)?.[1]);
    if (n !== s.size) throw new Error(`purge deleted ${n}, expected ${s.size}: ${stdout}`);
    purge.push({ size: s.size, ms, out: stdout.trim() });
  }

  const [small, big] = SIZES;
  console.log(`Large database — ${where}`);
  console.log(
    `DBs: ${small.toLocaleString("en")} and ${big.toLocaleString("en")} finished tasks ` +
      `(10 streams, 1 in 10 failed, finished 10–40 days ago) + ${QUEUED} queued in stream X; ` +
      `built in ${setups.map((s) => `${fmt(s.buildMs / 1000)} s`).join(" and ")}`,
  );
  console.log(`CLI: median of ${ROUNDS} interleaved rounds; in-process: median of ${INPROC} calls`);
  console.log("");
  console.log(
    `| operation | CLI ${small} (ms) | CLI ${big} (ms) | ratio | engine ${small} (µs) | engine ${big} (µs) |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  let worst = 0;
  for (
    const name of [
      "claim --stream X",
      "tasks --stream X --status queued --limit 50",
      "task <id>",
    ]
  ) {
    const a = median(cli.get(`${small}|${name}`)!);
    const b = median(cli.get(`${big}|${name}`)!);
    worst = Math.max(worst, b / a);
    console.log(
      `| \`${name}\` | ${fmt(a)} | ${fmt(b)} | ${fmt(b / a, 2)} | ${
        fmt(inproc.get(`${small}|${name}`)!, 0)
      } | ${fmt(inproc.get(`${big}|${name}`)!, 0)} |`,
    );
  }
  console.log("");
  console.log(
    `worst CLI ratio ${fmt(worst, 2)} (target ≤ 1.5: ${worst <= 1.5 ? "met" : "NOT met"})`,
  );
  for (const r of purge) {
    console.log(
      `purge on the ${r.size.toLocaleString("en")} DB: ${fmt(r.ms / 1000, 2)} s ` +
        `(whole process) — "${r.out}"`,
    );
  }
  const bigPurge = purge.find((r) => r.size === big)!;
  console.log(`purge target < 10 s: ${bigPurge.ms < 10_000 ? "met" : "NOT met"}`);
} finally {
  for (const s of setups) await s.p.cleanup();
}
