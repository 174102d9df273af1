/**
 * In-process engine throughput on a real WAL database file: enqueue + claim + complete
 * cycles per second (target ≥ 5,000/s), enqueue alone, claim + complete alone, and —
 * as the ceiling measured in the same run — how many one-row INSERT transactions
 * SQLite itself commits per second on the same file.
 *
 * deno run --allow-read --allow-write=/tmp --allow-run --allow-env bench/engine_cycles.ts
 */
import { claim, complete, enqueue } from "../src/engine/queue.ts";
import { createSession } from "../src/engine/sessions.ts";
import { createStream } from "../src/engine/streams.ts";
import type { SqliteDb } from "../src/storage/db.ts";
import { benchProject, fmt, machine, median } from "./queue_bench_lib.ts";

const N = 10_000;
const RUNS = 3;

const where = await machine();
const p = await benchProject();
const ctx = await p.engine();
try {
  createSession(ctx, { name: "bench" });
  createStream(ctx, { name: "x", session: "bench" });
  const streamId = ctx.db.get<{ id: string }>("SELECT id FROM streams WHERE name = 'x'")!.id;

  const put = () => enqueue(ctx, { stream: "x", tool: "run-bash", payload: { cmd: "echo hi" } });
  const take = () => {
    const t = claim(ctx, "x")!;
    complete(ctx, t.id, { result: { summary: "ok" }, stdout: "hi\n" });
  };
  const rate = async (fn: () => unknown) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn();
    return N / ((performance.now() - t0) / 1000);
  };
  let seq = 0;
  const sdb = ctx.db as SqliteDb; // this bench's store is the SQLite file
  const raw = sdb.raw.prepare(
    `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
       created_at, updated_at) VALUES (?, ?, 'run-bash', 'MEDIUM_SCRIPT', '{}', 'queued', 300, 0, ?, ?)`,
  );
  const sqliteCommit = () => {
    const now = new Date().toISOString();
    sdb.raw.exec("BEGIN IMMEDIATE");
    raw.run(`tsk_raw${String(seq++).padStart(9, "0")}`, streamId, now, now);
    sdb.raw.exec("COMMIT");
  };

  for (let i = 0; i < 500; i++) {
    await put();
    take();
  }
  const results: Record<string, number[]> = {
    "enqueue + claim + complete (one cycle)": [],
    "enqueue alone": [],
    "claim + complete alone (the queue filled above)": [],
    "ceiling: one-row INSERT + COMMIT, raw node:sqlite, same file": [],
  };
  const [cycle, enq, cc, ceiling] = Object.values(results);
  for (let r = 0; r < RUNS; r++) {
    cycle.push(
      await rate(async () => {
        await put();
        take();
      }),
    );
    enq.push(await rate(put));
    cc.push(await rate(take));
    ceiling.push(await rate(sqliteCommit));
  }
  const tasks = ctx.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tasks")!.n;

  console.log(`Engine cycles — ${where}`);
  console.log(`${RUNS} runs of ${N} operations each, medians; ${tasks} tasks in the DB at the end`);
  console.log("");
  console.log("| measure | per second (median) | runs |");
  console.log("|---|---:|---|");
  for (const [k, v] of Object.entries(results)) {
    console.log(`| ${k} | ${fmt(median(v), 0)} | ${v.map((x) => fmt(x, 0)).join(", ")} |`);
  }
  console.log("");
  const best = median(cycle);
  console.log(
    `target ≥ 5,000 cycles/s: ${best >= 5000 ? "met" : "NOT met"} (${fmt(best, 0)}/s; a cycle ` +
      `is 3 write transactions, the ceiling allows ~${fmt(median(ceiling) / 3, 0)} cycles/s)`,
  );
} finally {
  ctx.close();
  await p.cleanup();
}
