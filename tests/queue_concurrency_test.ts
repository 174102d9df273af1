/**
 * Atomic claim under real concurrency: several processes claim from one stream of
 * thousands of tasks in the same store (a SQLite file, or a PostgreSQL database when
 * run from tests/pg) until it is empty. Every task must be
 * claimed exactly once, none lost, in FIFO order per claimer, and no process may die
 * of `database is locked`.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../src/config/load.ts";
import { enqueue } from "../src/engine/queue.ts";
import { openStore } from "../src/engine/project.ts";
import { DENO, ROOT, SPARKQ_FLAGS, type TempProject, tempProject } from "./helpers.ts";
import { spawn } from "./support/process.ts";
import { assertExactlyOnce, type Claims } from "./support/claims.ts";

const WORKER = `${ROOT}/tests/fixtures/claim_worker.ts`;

/** Queues `n` tasks in `stream` through the engine; returns their IDs. */
async function fill(p: TempProject, stream: string, n: number): Promise<string[]> {
  const loaded = await loadConfig(`${p.dir}/sparkq.yml`);
  const ctx = { db: await openStore(loaded), config: loaded.config };
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push((await enqueue(ctx, { stream, tool: "run-bash", payload: { i } })).id);
    }
    return ids;
  } finally {
    ctx.db.close();
  }
}

/** What one claimer got. */
/** Starts `n` engine-loop worker processes; resolves once all wait at the start line. */
async function startWorkers(
  p: TempProject,
  stream: string,
  n: number,
  workMs: number,
): Promise<{ go: () => Promise<void>; done: Promise<Claims[]> }> {
  const goFile = `${p.dir}/go`;
  const children = Array.from({ length: n }, (_, i) =>
    spawn(DENO, [
      "run",
      ...SPARKQ_FLAGS,
      WORKER,
      `${p.dir}/sparkq.yml`,
      stream,
      `${p.dir}/ready-${i}`,
      goFile,
      String(workMs),
    ], { cwd: ROOT, env: { RUST_BACKTRACE: "0", NO_COLOR: "1" } }));
  const done = Promise.all(children.map(async (child, i): Promise<Claims> => {
    const end = await child.done();
    const stderr = child.stderr();
    return {
      who: `worker ${i}`,
      ids: child.stdout().split("\n").filter((l) => l !== ""),
      failure: end.code !== 0 || stderr !== "" ? `exit ${end.code}: ${stderr}` : undefined,
    };
  }));
  // wait until every worker has opened the database and is waiting for the go file
  for (let ready = 0; ready < n;) {
    await new Promise((r) => setTimeout(r, 20));
    ready = 0;
    for (let i = 0; i < n; i++) {
      try {
        await Deno.stat(`${p.dir}/ready-${i}`);
        ready++;
      } catch { /* not yet */ }
    }
  }
  return { go: () => Deno.writeTextFile(goFile, "go"), done };
}

/** Claims through the real CLI, one process per claim, until the stream is empty. */
async function cliLoop(p: TempProject, stream: string, who: string): Promise<Claims> {
  const ids: string[] = [];
  for (;;) {
    const r = await p.run(["claim", "--stream", stream]);
    if (r.code !== 0 || r.stderr !== "") {
      return { who, ids, failure: `exit ${r.code}: ${r.stderr}` };
    }
    if (r.stdout === "") return { who, ids };
    ids.push(JSON.parse(r.stdout).id);
  }
}

Deno.test("8 processes claim 2,000 tasks at full speed: each exactly once, no lock errors", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "load", "--session", "s1"]);
    await p.ok(["stream", "create", "other", "--session", "s1"]);
    const all = await fill(p, "load", 2000);
    const untouched = await fill(p, "other", 20);
    const workers = await startWorkers(p, "load", 8, 0);
    await workers.go();
    const claims = await workers.done;
    assertExactlyOnce(all, claims);
    assert.ok(
      claims.filter((c) => c.ids.length > 0).length >= 2,
      `the claims were not concurrent: ${claims.map((c) => c.ids.length)}`,
    );
    assert.deepEqual(
      p.query(
        "SELECT status, attempts, COUNT(*) AS n FROM tasks GROUP BY status, attempts ORDER BY 1, 2",
      ),
      [{ status: "queued", attempts: 0, n: 20 }, { status: "succeeded", attempts: 1, n: 2000 }],
    );
    assert.equal(
      p.query(
        "SELECT COUNT(*) AS n FROM tasks WHERE status = 'queued' AND id IN (" +
          untouched.map(() => "?").join(",") + ")",
        ...untouched,
      )[0].n,
      20,
      "another stream's tasks are not claimed",
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("engine workers and CLI claim processes share one stream of 2,000 tasks", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "mixed", "--session", "s1"]);
    const all = await fill(p, "mixed", 2000);
    // each engine worker "works" ~80 ms per task, so the CLI claimers get a real share
    const workers = await startWorkers(p, "mixed", 8, 80);
    await workers.go();
    const [engine, ...cli] = await Promise.all([
      workers.done,
      ...[0, 1, 2, 3].map((i) => cliLoop(p, "mixed", `cli loop ${i}`)),
    ]);
    const claims = [...engine, ...cli];
    assertExactlyOnce(all, claims);
    const viaCli = cli.reduce((n, c) => n + c.ids.length, 0);
    console.log(
      `claims: ${engine.map((c) => c.ids.length).join(" + ")} by engine workers, ` +
        `${viaCli} by CLI processes`,
    );
    assert.ok(viaCli > 0, "no claim went through the CLI");
    // engine workers complete what they claim; CLI-claimed tasks stay running
    assert.deepEqual(
      p.query(
        "SELECT status, attempts, COUNT(*) AS n FROM tasks GROUP BY status, attempts ORDER BY 1, 2",
      ),
      [
        ...(viaCli ? [{ status: "running", attempts: 1, n: viaCli }] : []),
        { status: "succeeded", attempts: 1, n: 2000 - viaCli },
      ],
    );
  } finally {
    await p.cleanup();
  }
});
