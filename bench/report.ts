/**
 * `sparkq report` for a 10,000-task session (SPEC §12.3): a session with 5 streams made
 * by the CLI, then 10,000 tasks inserted in one INSERT … SELECT over a recursive CTE
 * (8 in 10 succeeded, 1 in 10 failed with 40 lines of stderr, 1 in 20 auto-failed, the
 * rest running or queued; every tenth task with 3 progress notes, every fiftieth a
 * requeued copy), plus 1,000,000 finished tasks of another session when `--big` is
 * given (the report must not care). Times whole CLI processes for each format (median of
 * 5) and the engine's `buildReport` plus each renderer in-process (median of 10), and
 * the event feed of `sparkq follow` (its opening `latest(10)` and a look `next()`).
 *
 * deno run --allow-read --allow-write=/tmp --allow-run --allow-env bench/report.ts [--big]
 */
import { DatabaseSync } from "node:sqlite";
import { Feed } from "../src/engine/feed.ts";
import { buildReport } from "../src/engine/report.ts";
import { renderReport } from "../src/ui/report/mod.ts";
import { benchProject, fmt, forms, machine, median } from "./queue_bench_lib.ts";

const TASKS = 10_000;
const OTHER = Deno.args.includes("--big") ? 1_000_000 : 0;
const ROUNDS = 5;
const INPROC = 10;

const stamp = (expr: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr}, 'unixepoch')`;

/** Inserts `n` tasks over the streams of `session` (statuses and extras as described above). */
function seed(path: string, session: string, n: number, rich: boolean): void {
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;");
    db.prepare(
      `CREATE TEMP TABLE ks AS SELECT row_number() OVER (ORDER BY st.name) - 1 AS k, st.id
       FROM streams st JOIN sessions s ON s.id = st.session_id WHERE s.name = ?`,
    ).run(session);
    const streams = Number((db.prepare("SELECT COUNT(*) AS n FROM ks").get() as { n: number }).n);
    const stderr = Array.from({ length: 40 }, (_, i) => `error line ${i}`).join("\n");
    const notes = JSON.stringify(
      [1, 2, 3].map((i) => ({ at: "2026-12-01T10:00:00.000Z", note: `step ${i}` })),
    );
    db.exec("BEGIN");
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :n - 1)
       INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout, attempts,
         result, error, stdout, stderr, created_at, updated_at, started_at, finished_at,
         auto_failed, notes)
       SELECT 'tsk_' || lower(hex(randomblob(6))), ks.id,
         CASE i % 4 WHEN 0 THEN 'llm-haiku' WHEN 1 THEN 'run-python' ELSE 'run-bash' END,
         'MEDIUM_SCRIPT', '{"cmd":"step ' || i || '"}',
         CASE WHEN :rich AND i % 100 = 99 THEN 'queued' WHEN :rich AND i % 100 = 98 THEN 'running'
              WHEN i % 10 = 9 THEN 'failed' ELSE 'succeeded' END,
         300, 1,
         CASE WHEN i % 10 = 9 THEN NULL ELSE '{"summary":"did step ' || i || ' and checked it"}' END,
         CASE WHEN i % 10 = 9 THEN 'exit status ' || (i % 7) ELSE NULL END,
         'output of task ' || i || char(10),
         CASE WHEN i % 10 = 9 THEN :stderr ELSE NULL END,
         ${stamp(":t0 + i * :step")}, ${stamp(":t0 + i * :step + 30")},
         CASE WHEN :rich AND i % 100 = 99 THEN NULL ELSE ${stamp(":t0 + i * :step + 1")} END,
         CASE WHEN :rich AND i % 100 >= 98 THEN NULL ELSE ${
        stamp(":t0 + i * :step + 2 + i % 60")
      } END,
         CASE WHEN i % 20 = 19 THEN 1 ELSE 0 END,
         CASE WHEN i % 10 = 0 THEN :notes ELSE NULL END
       FROM seq JOIN ks ON ks.k = i % :streams`,
    ).run({
      n,
      rich: rich ? 1 : 0,
      stderr,
      notes,
      streams,
      t0: Date.now() / 1000 - (rich ? 2 * 86400 : 40 * 86400),
      step: (rich ? 86400 : 30 * 86400) / n,
    });
    if (rich) {
      db.exec(
        `INSERT INTO tasks (id, stream_id, tool_name, task_class, payload, status, timeout,
           attempts, created_at, updated_at, requeued_from)
         SELECT 'tsk_' || lower(hex(randomblob(6))), stream_id, tool_name, task_class, payload,
           'queued', timeout, 0, finished_at, finished_at, id
         FROM tasks WHERE stream_id IN (SELECT id FROM ks) AND status = 'failed'
           AND rowid % 5 = 0`,
      );
    }
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}

const p = await benchProject("sparkq-bench-report-");
try {
  await p.cli(["session", "create", "review"]);
  for (const s of ["api", "auth", "docs", "ui", "infra"]) {
    await p.cli(["stream", "create", s, "--session", "review", "-i", `Work on ${s}.`]);
  }
  if (OTHER) {
    await p.cli(["session", "create", "old"]);
    await p.cli(["stream", "create", "old-work", "--session", "old"]);
    seed(p.db, "old", OTHER, false);
  }
  seed(p.db, "review", TASKS, true);
  const total = await p.engine();
  const count = buildReport(total, { session: "review" }).counts;
  total.close();
  console.log(
    `# sparkq report, ${count.total} tasks in the session` +
      (OTHER ? ` (+${OTHER} in another session)` : ""),
  );
  console.log(`# ${await machine()}`);
  console.log(`# counts ${JSON.stringify(count)}`);

  const rows: string[] = [];
  for (const form of forms()) {
    for (const format of ["md", "html", "json"]) {
      const ms: number[] = [];
      let bytes = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const r = await p.cli(["report", "--session", "review", "--format", format], form);
        ms.push(r.ms);
        bytes = new TextEncoder().encode(r.stdout).length;
      }
      rows.push(
        `| ${form.label} | \`report --format ${format}\` | ${fmt(median(ms))} | ${
          fmt(bytes / 1024 / 1024, 2)
        } |`,
      );
    }
  }
  const ctx = await p.engine();
  const build: number[] = [];
  const render: Record<string, number[]> = { md: [], html: [], json: [] };
  for (let i = 0; i < INPROC; i++) {
    let t = performance.now();
    const r = buildReport(ctx, { session: "review" });
    build.push(performance.now() - t);
    for (const f of ["md", "html", "json"] as const) {
      t = performance.now();
      renderReport(r, f);
      render[f].push(performance.now() - t);
    }
  }
  const opening: number[] = [];
  const look: number[] = [];
  for (let i = 0; i < INPROC; i++) {
    let t = performance.now();
    const feed = new Feed(ctx, {});
    feed.latest(10);
    opening.push(performance.now() - t);
    t = performance.now();
    feed.next();
    look.push(performance.now() - t);
  }
  ctx.close();
  console.log("\n| how | command | median ms | output MiB |\n|---|---|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(
    `\nIn-process (median of ${INPROC}): buildReport ${fmt(median(build))} ms; render md ${
      fmt(median(render.md))
    } ms, html ${fmt(median(render.html))} ms, json ${fmt(median(render.json))} ms`,
  );
  console.log(
    `follow's feed over the whole database: opening (last 10 events) ${
      fmt(median(opening), 2)
    } ms, a look for new events ${fmt(median(look), 2)} ms`,
  );
} finally {
  await p.cleanup();
}
