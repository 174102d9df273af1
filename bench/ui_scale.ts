/**
 * The web UI at a million tasks (SPEC §12.3): the same pages on a 1,000,000-task database
 * and on a 1,000-task one, in one run, against real `sparkq run` servers, by the server's
 * own time (the `Server-Timing` header), every request a distinct URL so the read cache
 * never answers:
 *
 * - the task list's first page, and its 1,000th page by cursor (the small database has
 *   20 pages: its last one stands in), and a filtered deep page (failed tasks);
 * - searches: a word in 30 recent summaries, a word in a tenth of all errors, an ID prefix;
 * - the dashboard (counts, four task panels, the charts of the last 24 hours).
 *
 * Both databases hold the same last day (600 tasks finished over the last 24 hours, some
 * failed and auto-failed; 200 queued); the big one adds 999,200 tasks finished 40 to 10
 * days ago. The tasks are inserted by INSERT … SELECT over a recursive CTE at schema
 * version 2; then the version-3 migration (search index, counts, finished-at index) is
 * timed as any command would run it on the first open after an upgrade.
 *
 * deno run --allow-read --allow-write=/tmp --allow-run --allow-env --allow-net=127.0.0.1 \
 *   bench/ui_scale.ts
 */
import { DatabaseSync } from "node:sqlite";
import { insertQueuedInX, numberStreams, sqlStamp as stamp } from "./seed_sql.ts";
import { openDb } from "../src/storage/db.ts";
import { DROP_TASK_TRIGGERS } from "../src/storage/schema.ts";
import {
  type BenchProject,
  benchProject,
  DENO,
  fmt,
  machine,
  median,
  ROOT,
  SPARKQ_FLAGS,
} from "./queue_bench_lib.ts";

const SIZES = [1_000, 1_000_000];
const RECENT = 600;
const QUEUED = 200;
const SAMPLES = 30;
const WARMUP = 3;
const PAGE = 50;
const DEEP_PAGE = 1000;

/** Takes the database back to schema version 2 (as an older SparkQ left it), then seeds it. */
function seed(path: string, size: number): number {
  const db = new DatabaseSync(path);
  const t0 = performance.now();
  try {
    db.exec("PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;");
    db.exec(DROP_TASK_TRIGGERS);
    db.exec(
      "DROP TABLE tasks_fts; DROP TABLE task_counts; DROP INDEX idx_tasks_finished; PRAGMA user_version=2;",
    );
    numberStreams(db);
    const nowS = Date.now() / 1000;
    const old = size - RECENT - QUEUED;
    db.exec("BEGIN");
    // old history: finished 40 to 10 days ago over 10 streams; 1 in 10 failed
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :n - 1)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
         result, error, stdout, stderr, created_at, updated_at, started_at, finished_at)
       SELECT 'tsk_' || lower(hex(randomblob(6))), ks.id,
         CASE WHEN i % 5 = 0 THEN 'llm-haiku' ELSE 'run-bash' END,
         CASE WHEN i % 5 = 0 THEN 'LLM_LITE' ELSE 'MEDIUM_SCRIPT' END,
         '{"cmd":"./build.sh","file":"src/mod' || (i % 500) || '.ts","n":' || i || '}',
         CASE WHEN i % 10 = 9 THEN 'failed' ELSE 'succeeded' END, 300, 1,
         CASE WHEN i % 10 = 9 THEN NULL
           ELSE '{"summary":"Processed batch ' || i || ': 42 files, 0 errors"}' END,
         CASE WHEN i % 10 = 9 THEN 'job-' || (i % 50) || '.sh exited 1: connection reset' END,
         'output of task ' || i || char(10), NULL,
         ${stamp(":t0 + i * :step")}, ${stamp(":t0 + i * :step + 30")},
         ${stamp(":t0 + i * :step + 1")}, ${stamp(":t0 + i * :step + 30")}
       FROM seq JOIN ks ON ks.k = i % 10`,
    ).run({ n: old, t0: nowS - 40 * 86400, step: (30 * 86400) / Math.max(1, old) });
    // the last day, the same in both databases
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :n - 1)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
         result, error, created_at, updated_at, started_at, finished_at, auto_failed)
       SELECT 'tsk_' || lower(hex(randomblob(6))), ks.id,
         CASE i % 3 WHEN 0 THEN 'llm-haiku' WHEN 1 THEN 'run-bash' ELSE 'llm-sonnet' END,
         'MEDIUM_SCRIPT', '{"cmd":"make test ' || i || '"}',
         CASE WHEN i % 12 IN (5, 11) THEN 'failed' ELSE 'succeeded' END, 300, 1,
         CASE WHEN i % 12 IN (5, 11) THEN NULL
           ELSE '{"summary":"Fixed ' || CASE WHEN i % 20 = 0 THEN 'flamingo' ELSE 'parser' END
             || ' bug ' || i || '"}' END,
         CASE WHEN i % 12 = 5 THEN 'tests failed: connection reset'
              WHEN i % 12 = 11 THEN 'Auto-failed: task exceeded 2x timeout' END,
         ${stamp(":t0 + i * :step")}, ${stamp(":t0 + i * :step + 5 + i % 90")},
         ${stamp(":t0 + i * :step + 1")}, ${stamp(":t0 + i * :step + 5 + i % 90")},
         CASE WHEN i % 12 = 11 THEN 1 ELSE 0 END
       FROM seq JOIN ks ON ks.k = i % 10`,
    ).run({ n: RECENT, t0: nowS - 86400 + 60, step: (86400 - 600) / RECENT });
    insertQueuedInX(db, QUEUED, nowS - 3600);
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return performance.now() - t0;
}

/** Opens the database once, as the first command after an upgrade does: the v3 migration. */
function migrate(path: string): number {
  const t0 = performance.now();
  openDb(path).close();
  return performance.now() - t0;
}

/** The URLs to time on one database (the cursors come from its own rows). */
function pages(path: string, size: number): [string, string][] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const cursorAt = (offset: number, where = "") => {
      const r = db.prepare(
        `SELECT created_at, rowid AS r FROM tasks ${where}
         ORDER BY created_at DESC, rowid DESC LIMIT 1 OFFSET ?`,
      ).get(offset) as { created_at: string; r: number };
      return `${r.created_at}_${r.r}`;
    };
    const pageCount = Math.ceil(size / PAGE);
    const deep = Math.min(DEEP_PAGE, pageCount);
    const failedPages = Math.floor(size / 10 / PAGE);
    const deepFailed = Math.min(100, failedPages);
    const sample = (db.prepare("SELECT id FROM tasks WHERE rowid = ?").get(
      Math.floor(size / 2),
    ) as { id: string }).id;
    return [
      ["task list, page 1", "/tasks"],
      [
        `task list, page ${DEEP_PAGE} by cursor (small: page ${deep}, its last)`,
        `/tasks?before=${encodeURIComponent(cursorAt((deep - 1) * PAGE - 1))}`,
      ],
      [
        `failed tasks, page 100 by cursor (small: page ${deepFailed})`,
        `/tasks?status=failed&before=${
          encodeURIComponent(cursorAt((deepFailed - 1) * PAGE - 1, "WHERE status = 'failed'"))
        }`,
      ],
      ["search: a word in 30 summaries ('flamingo')", "/tasks?q=flamingo"],
      ["search: a word in every error ('connection')", "/tasks?q=connection"],
      ["search: an ID prefix (8 hex digits)", `/tasks?q=${sample.slice(0, 12)}`],
      ["dashboard", "/"],
    ];
  } finally {
    db.close();
  }
}

interface Server {
  url: string;
  child: Deno.ChildProcess;
}

async function serve(p: BenchProject): Promise<Server> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await p.cli(["setup", "--yes", "--port", String(port)]);
  // Keep the old history: the server purges finished tasks older than this at start.
  const yml = `${p.dir}/sparkq.yml`;
  const text = await Deno.readTextFile(yml);
  await Deno.writeTextFile(
    yml,
    /older_than_days:/.test(text)
      ? text.replace(/older_than_days: *\d+/, "older_than_days: 3650")
      : text + "\npurge:\n  older_than_days: 3650\n",
  );
  const child = new Deno.Command(DENO, {
    args: ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`, "run", "--no-watchers"],
    cwd: ROOT,
    env: { INIT_CWD: p.dir, NO_COLOR: "1", RUST_BACKTRACE: "0", SPARKQ_TMPDIR: p.dir },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/health`);
      await r.body?.cancel();
      if (r.ok) return { url, child };
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error("server did not come up");
    await new Promise((r) => setTimeout(r, 100));
  }
}

let serial = 0;
/** The server's time for one request of `path` (a distinct URL: the cache never answers). */
async function once(s: Server, path: string): Promise<{ ms: number; rows: number }> {
  const sep = path.includes("?") ? "&" : "?";
  const r = await fetch(`${s.url}${path}${sep}_=${++serial}`);
  const body = await r.text();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${body.slice(0, 300)}`);
  if (r.headers.get("x-sparkq-cache") !== "miss") throw new Error(`${path}: not a cache miss`);
  const ms = Number(/dur=([\d.]+)/.exec(r.headers.get("server-timing") ?? "")?.[1]);
  return { ms, rows: (body.match(/<(tr|li)[^>]* data-task=/g) ?? []).length };
}

const where = await machine();
const projects: BenchProject[] = [];
const servers: Server[] = [];
try {
  const built: { size: number; seedMs: number; migrateMs: number; urls: [string, string][] }[] = [];
  for (const size of SIZES) {
    const p = await benchProject(`sparkq-bench-ui-${size}-`);
    projects.push(p);
    await p.cli(["session", "create", "bench"]);
    for (const s of ["X", ...Array.from({ length: 9 }, (_, i) => `s${i}`)]) {
      await p.cli(["stream", "create", s, "--session", "bench"]);
    }
    const seedMs = seed(p.db, size);
    const migrateMs = migrate(p.db);
    console.error(
      `${size} tasks: seeded in ${fmt(seedMs / 1000)} s, v3 migration ${
        fmt(migrateMs / 1000, 2)
      } s`,
    );
    built.push({ size, seedMs, migrateMs, urls: pages(p.db, size) });
    servers.push(await serve(p));
  }

  // interleaved: each sample round visits every page on both databases
  const times = new Map<string, number[]>();
  const rows = new Map<string, number>();
  for (let round = 0; round < SAMPLES + WARMUP; round++) {
    for (let k = 0; k < built[0].urls.length; k++) {
      for (let d = 0; d < built.length; d++) {
        const [, path] = built[d].urls[k];
        const r = await once(servers[d], path);
        if (round < WARMUP) continue;
        const key = `${k}:${d}`;
        times.set(key, [...(times.get(key) ?? []), r.ms]);
        rows.set(key, r.rows);
      }
    }
  }

  const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  const out: string[] = [];
  out.push(`${where}`);
  out.push("");
  out.push(
    `Server time (Server-Timing, median / p90 of ${SAMPLES} requests, every one a cache miss):`,
  );
  out.push("");
  out.push("| page | 1,000 tasks | 1,000,000 tasks | ratio | tasks shown (small / big) |");
  out.push("|---|---|---|---|---|");
  for (let k = 0; k < built[0].urls.length; k++) {
    const a = times.get(`${k}:0`)!, b = times.get(`${k}:1`)!;
    out.push(
      `| ${built[0].urls[k][0]} | ${fmt(median(a), 2)} / ${fmt(p90(a), 2)} ms | ${
        fmt(median(b), 2)
      } / ${fmt(p90(b), 2)} ms | ${fmt(median(b) / median(a), 2)}x | ${rows.get(`${k}:0`)} / ${
        rows.get(`${k}:1`)
      } |`,
    );
  }
  out.push("");
  for (const b of built) {
    out.push(
      `- ${b.size.toLocaleString("en-US")} tasks: seeded in ${fmt(b.seedMs / 1000)} s; ` +
        `the version-3 migration (search index, counts, finished-at index) on first open: ${
          fmt(b.migrateMs / 1000, 2)
        } s`,
    );
  }
  console.log(out.join("\n"));
} finally {
  for (const s of servers) {
    try {
      s.child.kill("SIGTERM");
      await s.child.status;
    } catch { /* gone */ }
  }
  for (const p of projects) await p.cleanup().catch(() => {});
}
