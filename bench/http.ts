/**
 * Server benchmarks (BENCHMARKS.md, "## Server"), against a real `sparkq run` process
 * with the `sparkq` task's permission flags, over loopback:
 *
 * - requests/s of `GET /api/tasks?limit=20` with 100,000 tasks in the database, next to
 *   `GET /api/health` measured the same way in the same run (the baseline);
 * - claim + complete pairs/s over HTTP (each pair = POST claim, then POST complete);
 * - the server's time for the dashboard (`GET /`) and the task list page with 100,000
 *   tasks, from the `Server-Timing` header, next to /api/health's.
 *
 * The load generator runs in separate processes: `wrk` when installed (apt-get install
 * wrk), else a Deno loop of keep-alive fetches; the claim/complete load is always this
 * file re-run as a Deno child. Targets: >= 5,000 req/s for the task list, dashboard < 50 ms.
 *
 *   deno run --allow-read --allow-write=/tmp,. --allow-run --allow-env --allow-net=127.0.0.1 \
 *     bench/http.ts [--write]      (--write updates the "## Server" section of BENCHMARKS.md)
 */
import { openDb } from "../src/storage/db.ts";
import { insertTask } from "../src/storage/tasks.ts";
import { getStreamByName } from "../src/storage/streams.ts";
import type { TaskRow } from "../src/core/schemas.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const SPARKQ_FLAGS: string[] = String(
  JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks.sparkq,
).split(/\s+/).filter((w) => w.startsWith("--"));

const TASKS = 100_000;
const CLAIM_QUEUE = 30_000;
const SECONDS = 8;
const CONNECTIONS = 16;
const CLAIMERS = 8;
const PAGE_SAMPLES = 40;

// ---- child mode: the claim + complete load generator ----------------------------------
if (Deno.args[0] === "--claim-load") {
  const [url, conc, secs] = [Deno.args[1], Number(Deno.args[2]), Number(Deno.args[3])];
  const headers = { "content-type": "application/json" };
  const end = performance.now() + secs * 1000;
  let pairs = 0, empty = 0, errors = 0;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < end) {
      const r = await fetch(`${url}/api/streams/bench/claim`, {
        method: "POST",
        headers,
        body: "{}",
      });
      if (r.status === 204) {
        empty++;
        await r.body?.cancel();
        continue;
      }
      if (r.status !== 200) {
        errors++;
        await r.body?.cancel();
        continue;
      }
      const task = await r.json();
      const c = await fetch(`${url}/api/tasks/${task.id}/complete`, {
        method: "POST",
        headers,
        body: JSON.stringify({ result: { summary: "benchmark pair" }, stdout: "ok\n" }),
      });
      await c.body?.cancel();
      if (c.ok) pairs++;
      else errors++;
    }
  }));
  console.log(JSON.stringify({ pairs, empty, errors, seconds: secs }));
  Deno.exit(0);
}

// ---- child mode: a Deno GET load generator (when wrk is missing) -----------------------
if (Deno.args[0] === "--get-load") {
  const [url, conc, secs] = [Deno.args[1], Number(Deno.args[2]), Number(Deno.args[3])];
  const end = performance.now() + secs * 1000;
  let n = 0, errors = 0;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < end) {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) n++;
      else errors++;
    }
  }));
  console.log(JSON.stringify({ requests: n, errors, seconds: secs }));
  Deno.exit(0);
}

// ---- main -------------------------------------------------------------------------------
async function cli(dir: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(DENO, {
    args: ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`, ...args],
    cwd: ROOT,
    env: { INIT_CWD: dir, NO_COLOR: "1", RUST_BACKTRACE: "0", SPARKQ_TMPDIR: dir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`sparkq ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function hex(n: number): string {
  return n.toString(16).padStart(12, "0");
}

/** Inserts tasks through the storage layer, in one transaction. */
function seed(dbPath: string, streams: string[], count: number, kind: "mixed" | "queued"): void {
  const db = openDb(dbPath);
  try {
    const ids = streams.map((n) => getStreamByName(db, n)!.id);
    const now = Date.now();
    const base = kind === "mixed" ? 0 : 1_000_000;
    db.write(() => {
      for (let i = 0; i < count; i++) {
        // Finished tasks are spread over the last 2 days (the server purges after 3).
        const created = new Date(now - (count - i) * (kind === "mixed" ? 1500 : 1)).toISOString();
        // One running task per stream (one busy worker each), as in real use.
        const r = i % 100;
        const status: TaskRow["status"] = kind === "queued"
          ? "queued"
          : i >= count - streams.length
          ? "running"
          : r < 89
          ? "succeeded"
          : r < 97
          ? "failed"
          : "queued";
        const finished = status === "succeeded" || status === "failed";
        const started = status === "queued" ? null : created;
        insertTask(db, {
          id: `tsk_${hex(base + i)}`,
          stream_id: ids[i % ids.length],
          tool_name: "run-bash",
          task_class: "MEDIUM_SCRIPT",
          payload: JSON.stringify({
            script_path: `scripts/job-${i % 50}.sh`,
            args: ["--n", String(i)],
          }),
          status,
          timeout: status === "running" ? 86_400 : 300,
          attempts: status === "queued" ? 0 : 1,
          result: status === "succeeded"
            ? JSON.stringify({ summary: `Processed batch ${i}: 42 files, 0 errors`, files: 42 })
            : null,
          error: status === "failed" ? `job-${i % 50}.sh exited 1: connection reset` : null,
          stdout: finished ? `line 1\nline 2\nprocessed ${i}\n` : null,
          stderr: status === "failed" ? "error: connection reset by peer\n" : null,
          created_at: created,
          updated_at: created,
          started_at: started,
          finished_at: finished ? created : null,
          auto_failed: 0,
          heartbeat_at: null,
          notes: null,
          late_report: null,
          requeued_from: null,
        });
      }
    });
  } finally {
    db.close();
  }
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/api/health`);
      await r.body?.cancel();
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server did not come up");
}

/**
 * Median and p95 of the server's own time (Server-Timing) and of the client's, in ms.
 * With `change`, the database is changed before every sample (an enqueue over the API,
 * not timed), so each answer is computed afresh: what a live refresh after a change costs.
 */
async function timePage(url: string, n: number, change?: () => Promise<void>) {
  const server: number[] = [];
  const client: number[] = [];
  let bytes = 0;
  let cache = "";
  for (let i = 0; i < n + 3; i++) {
    if (change) await change();
    const t0 = performance.now();
    const r = await fetch(url);
    const body = await r.arrayBuffer();
    const t1 = performance.now();
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    if (i < 3) continue; // warm-up
    bytes = body.byteLength;
    cache = r.headers.get("x-sparkq-cache") ?? "none";
    server.push(Number(/dur=([\d.]+)/.exec(r.headers.get("server-timing") ?? "")?.[1]));
    client.push(t1 - t0);
  }
  return { server: stats(server), client: stats(client), bytes, cache };
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)],
    p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))],
  };
}

async function haveWrk(): Promise<boolean> {
  try {
    const o = await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return o.code === 0 || o.code === 1;
  } catch {
    return false;
  }
}

/** Requests/s of GET `url` from a separate process (wrk, else a Deno loop). */
async function getLoad(url: string, useWrk: boolean): Promise<{ rps: number; tool: string }> {
  if (useWrk) {
    const o = await new Deno.Command("wrk", {
      args: ["-t2", `-c${CONNECTIONS}`, `-d${SECONDS}s`, url],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(o.stdout);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
    if (/Non-2xx/.test(text) || !rps) throw new Error(`wrk ${url}:\n${text}`);
    return { rps, tool: `wrk -t2 -c${CONNECTIONS} -d${SECONDS}s` };
  }
  const o = await new Deno.Command(DENO, {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      import.meta.filename!,
      "--get-load",
      url,
      String(CONNECTIONS),
      String(SECONDS),
    ],
    stdout: "piped",
  }).output();
  const r = JSON.parse(new TextDecoder().decode(o.stdout));
  if (r.errors) throw new Error(`${r.errors} errors on ${url}`);
  return {
    rps: r.requests / r.seconds,
    tool: `Deno fetch loop, ${CONNECTIONS} connections, ${SECONDS}s`,
  };
}

async function machine(): Promise<string> {
  // Deno reads /proc only with --allow-all: ask the shell instead.
  const sh = async (cmd: string) => {
    const o = await new Deno.Command("sh", { args: ["-c", cmd], stdout: "piped", stderr: "null" })
      .output().catch(() => undefined);
    return o ? new TextDecoder().decode(o.stdout).trim() : "";
  };
  const cpu = (await sh("grep -m1 'model name' /proc/cpuinfo")).replace(/^model name\s*:\s*/, "") ||
    "unknown CPU";
  const memKb = Number((await sh("grep MemTotal /proc/meminfo")).match(/(\d+)/)?.[1] ?? 0);
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${
    Math.round(memKb / 1024 / 1024)
  } GiB RAM, Linux, Deno ${Deno.version.deno}`;
}

const dir = await Deno.makeTempDir({ prefix: "sparkq-bench-http-" });
const port = freePort();
const url = `http://127.0.0.1:${port}`;
let server: Deno.ChildProcess | undefined;
try {
  await cli(dir, "setup", "--yes", "--name", "bench", "--repo-path", ".", "--port", String(port));
  await cli(dir, "session", "create", "bench");
  for (const s of ["api", "web", "docs", "infra", "bench"]) {
    await cli(dir, "stream", "create", s, "--session", "bench");
  }
  const t0 = performance.now();
  seed(`${dir}/sparkq.db`, ["api", "web", "docs", "infra"], TASKS, "mixed");
  console.error(`seeded ${TASKS} tasks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  server = new Deno.Command(DENO, {
    args: ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`, "run", "--no-watchers"],
    cwd: ROOT,
    env: { INIT_CWD: dir, NO_COLOR: "1", RUST_BACKTRACE: "0", SPARKQ_TMPDIR: dir },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitForHealth(url);

  let n = 0;
  const change = async () => {
    const r = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ stream: "web", tool_name: "llm-haiku", payload: { n: n++ } }),
    });
    if (r.status !== 201) throw new Error(`enqueue: ${r.status}`);
    await r.body?.cancel();
  };
  const pages = {
    health: await timePage(`${url}/api/health`, PAGE_SAMPLES),
    dashboardFresh: await timePage(`${url}/`, PAGE_SAMPLES, change),
    dashboardCached: await timePage(`${url}/`, PAGE_SAMPLES),
    tasksPageFresh: await timePage(`${url}/tasks`, PAGE_SAMPLES, change),
    taskListFresh: await timePage(`${url}/api/tasks?limit=20`, PAGE_SAMPLES, change),
    taskListCached: await timePage(`${url}/api/tasks?limit=20`, PAGE_SAMPLES),
  };
  for (const [k, v] of Object.entries(pages)) {
    if (k.endsWith("Fresh") && v.cache !== "miss") throw new Error(`${k} was not computed afresh`);
    if (k.endsWith("Cached") && v.cache !== "hit") throw new Error(`${k} was not cached`);
  }
  console.error("page times", JSON.stringify(pages));

  const wrk = await haveWrk();
  const health = await getLoad(`${url}/api/health`, wrk);
  const list = await getLoad(`${url}/api/tasks?limit=20`, wrk);
  console.error(
    `GET /api/health ${health.rps.toFixed(0)} req/s; GET /api/tasks?limit=20 ${
      list.rps.toFixed(0)
    } req/s`,
  );

  seed(`${dir}/sparkq.db`, ["bench"], CLAIM_QUEUE, "queued");
  const o = await new Deno.Command(DENO, {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      import.meta.filename!,
      "--claim-load",
      url,
      String(CLAIMERS),
      String(SECONDS),
    ],
    stdout: "piped",
  }).output();
  const claim = JSON.parse(new TextDecoder().decode(o.stdout));
  const pairRate = claim.pairs / claim.seconds;
  console.error(`claim+complete ${pairRate.toFixed(0)} pairs/s (${JSON.stringify(claim)})`);
  if (claim.errors) throw new Error(`${claim.errors} claim/complete errors`);
  if (claim.empty) throw new Error("the claim queue ran dry: raise CLAIM_QUEUE");

  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const date = new Date().toISOString().slice(0, 10);
  const section = `## Server

Measured ${date} with \`bench/http.ts\` on ${await machine()}. A real \`sparkq run\`
(the \`sparkq\` task's flags) on 127.0.0.1; the load comes from separate processes over
loopback (${list.tool}; claim + complete: ${CLAIMERS} concurrent Deno fetch loops, ${SECONDS}s).
The database holds ${TASKS.toLocaleString("en")} tasks (89% succeeded, 8% failed, 3% queued,
one running per stream, over 4 streams). Server time is the server's own \`Server-Timing\`; client time
adds loopback HTTP. Machine shared with other jobs: compare rows of the same run.

| measure | result | target |
|---|---|---|
| \`GET /api/health\` (baseline) | ${health.rps.toFixed(0)} req/s | |
| \`GET /api/tasks?limit=20\`, unchanged database (cached answer) | ${list.rps.toFixed(0)} req/s (${
    (100 * list.rps / health.rps).toFixed(0)
  }% of baseline) | ≥ 5,000 req/s |
| \`GET /api/tasks?limit=20\` after a change, server time | median ${
    ms(pages.taskListFresh.server.median)
  }, p95 ${ms(pages.taskListFresh.server.p95)} (≈ ${
    (1000 / pages.taskListFresh.server.median).toFixed(0)
  } req/s on one core) | |
| claim + complete over HTTP | ${pairRate.toFixed(0)} pairs/s (${
    (2 * pairRate).toFixed(0)
  } req/s) | |
| dashboard \`GET /\` after a change, server time | median ${
    ms(pages.dashboardFresh.server.median)
  }, p95 ${ms(pages.dashboardFresh.server.p95)} (${
    (pages.dashboardFresh.bytes / 1024).toFixed(0)
  } KiB) | < 50 ms |
| dashboard \`GET /\` after a change, client time | median ${
    ms(pages.dashboardFresh.client.median)
  }, p95 ${ms(pages.dashboardFresh.client.p95)} | |
| dashboard \`GET /\`, unchanged (cached), server time | median ${
    ms(pages.dashboardCached.server.median)
  } | |
| task list page \`GET /tasks\` (50 rows) after a change, server time | median ${
    ms(pages.tasksPageFresh.server.median)
  }, p95 ${ms(pages.tasksPageFresh.server.p95)} | |
| \`GET /api/health\`, server time (baseline) | median ${ms(pages.health.server.median)} | |

Reads are cached exactly (\`src/server/read_cache.ts\`): an answer is reused only while the
database's change marker, the loaded config and the next stale/auto-fail deadline say
nothing it depends on has changed; "after a change" rows make a write before every sample.
`;
  console.log(section);
  if (Deno.args.includes("--write")) {
    const path = `${ROOT}/BENCHMARKS.md`;
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch { /* new file */ }
    const start = text.search(/^## Server\s*$/m);
    if (start < 0) {
      text = (text ? text.trimEnd() + "\n\n" : "# Benchmarks\n\n") + section;
    } else {
      const rest = text.slice(start + 1);
      const next = rest.search(/^## /m);
      text = text.slice(0, start) + section + (next < 0 ? "" : "\n" + rest.slice(next));
    }
    await Deno.writeTextFile(path, text);
    console.error(`updated ${path}`);
  }
} finally {
  if (server) {
    try {
      server.kill("SIGTERM");
    } catch { /* gone */ }
    await server.status;
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
