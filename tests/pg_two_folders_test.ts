/**
 * Two SparkQ folders (standing in for two machines) share one PostgreSQL database
 * (issue 14): both are set up with `setup --database-url` against the same fresh
 * database and see one queue. 2,000 tasks go into one stream, enqueued from both
 * folders; each folder runs 4 claiming processes plus a loop of real CLI `claim` /
 * `complete` processes. Every task must be claimed exactly once and completed (attempts
 * 1), none lost, none left queued, FIFO per claimer; the second test does the same while
 * folder A's server (`sparkq run`, with its watcher, writing tasks enqueued over HTTP)
 * is killed with SIGKILL midway.
 *
 * The 4 claiming processes of a folder are long-lived engine loops
 * (tests/fixtures/claim_worker.ts on the folder's sparkq.yml, whose database.url names the
 * shared database: `claim` + `complete` until the stream is empty), as in the concurrency
 * test: 2,000 CLI claim + complete pairs would be 4,000 process starts, minutes on the
 * 2 cores these tests run on. The CLI loop beside them proves the command line claims
 * from the same stream (each of its claims and completes is its own process, through the
 * source or the launcher).
 *
 * Needs SPARKQ_TEST_PG (see tests/support/backend.ts); ignored without it.
 */
import assert from "node:assert/strict";
import { openProject, type Project } from "../src/engine/project.ts";
import { enqueue } from "../src/engine/queue.ts";
import { DENO, freePort, ROOT, SPARKQ_FLAGS, type TempProject, tempProject } from "./helpers.ts";
import { api, spawnRun, waitForHealth } from "./server_helpers.ts";
import { freshDatabase, PG_ADMIN_URL, pgQuery, type TestDatabase } from "./support/backend.ts";
import { spawn, type Spawned } from "./support/process.ts";
import { assertExactlyOnce, type Claims } from "./support/claims.ts";

const WORKER = `${ROOT}/tests/fixtures/claim_worker.ts`;
const STREAM = "load";
const TASKS = 2000;
const CLAIMERS_PER_FOLDER = 4;

/** What one claimer got, in the order it claimed. */
/** Two folders set up against one fresh database, with a session and the stream. */
interface Pair {
  db: TestDatabase;
  a: TempProject;
  b: TempProject;
  cleanup(): Promise<void>;
}

async function twoFolders(setupA: string[] = []): Promise<Pair> {
  const db = freshDatabase();
  const made: TempProject[] = [];
  try {
    const a = await tempProject(["--database-url", db.url, ...setupA]);
    made.push(a);
    const b = await tempProject(["--database-url", db.url]);
    made.push(b);
    return {
      db,
      a,
      b,
      cleanup: async () => {
        for (const p of made) await p.cleanup();
        db.drop();
      },
    };
  } catch (e) {
    for (const p of made) await p.cleanup();
    db.drop();
    throw e;
  }
}

/**
 * Both folders see one queue: a session and stream made in A are B's, a task B enqueues
 * through its CLI is A's to read; B's setup accepted the database A's setup created.
 */
async function oneQueue(pair: Pair): Promise<string> {
  const { a, b } = pair;
  assert.match(await a.ok(["setup", "--yes"]), /Database ready at postgres:\/\//);
  assert.match(await b.ok(["setup", "--yes"]), /Database ready at postgres:\/\//);
  for (const p of [a, b]) {
    assert.match(await Deno.readTextFile(`${p.dir}/sparkq.yml`), /url: postgres:\/\//);
    await assert.rejects(Deno.stat(`${p.dir}/sparkq.db`), "no SQLite file is made");
  }
  await a.ok(["session", "create", "s1"]);
  await a.ok(["stream", "create", STREAM, "--session", "s1"]);
  assert.match(await b.ok(["stream", "list"]), new RegExp(`^${STREAM}\\s+s1\\s+active`, "m"));
  const id = (await b.ok(["enqueue", "run-bash", '{"from":"B"}', "--stream", STREAM])).trim();
  assert.match(id, /^tsk_/);
  assert.equal(JSON.parse(await a.ok(["peek", "--stream", STREAM])).id, id, "A sees B's task");
  const meta = pgQuery(pair.db.url, "SELECT COUNT(*) AS n FROM sparkq_meta");
  assert.ok(Number(meta[0].n) > 0, "one SparkQ schema in the database");
  return id;
}

/** Queues `n` tasks through the engine, alternating folder A's and B's projects. */
async function fill(pair: Pair, n: number): Promise<void> {
  const ctxs: Project[] = [];
  try {
    ctxs.push(await openProject({ cwd: pair.a.dir }), await openProject({ cwd: pair.b.dir }));
    for (let i = 0; i < n; i++) {
      await enqueue(ctxs[i % 2], { stream: STREAM, tool: "run-bash", payload: { i } });
    }
  } finally {
    for (const c of ctxs) c.db.close();
  }
}

/** Starts the claiming processes of a folder; they begin when `go` is written. */
function startClaimers(p: TempProject, label: string, go: string, workMs: number): Spawned[] {
  return Array.from({ length: CLAIMERS_PER_FOLDER }, (_, i) =>
    spawn(DENO, [
      "run",
      ...SPARKQ_FLAGS,
      WORKER,
      `${p.dir}/sparkq.yml`,
      STREAM,
      `${p.dir}/ready-${label}${i}`,
      go,
      String(workMs),
    ], { cwd: ROOT, env: { RUST_BACKTRACE: "0", NO_COLOR: "1" } }));
}

/** Waits until every claimer of `p` has opened the database and waits for the start. */
async function allReady(p: TempProject, label: string): Promise<void> {
  for (let i = 0; i < CLAIMERS_PER_FOLDER; i++) {
    for (;;) {
      try {
        await Deno.stat(`${p.dir}/ready-${label}${i}`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

async function collect(children: Spawned[], label: string): Promise<Claims[]> {
  return await Promise.all(children.map(async (child, i): Promise<Claims> => {
    const end = await child.done();
    const stderr = child.stderr();
    return {
      who: `${label} claimer ${i}`,
      ids: child.stdout().split("\n").filter((l) => l !== ""),
      failure: end.code !== 0 || stderr !== "" ? `exit ${end.code}: ${stderr}` : undefined,
    };
  }));
}

/** Claims and completes through the real CLI, one process per call, until the stream is empty. */
async function cliLoop(p: TempProject, who: string): Promise<Claims> {
  const ids: string[] = [];
  for (;;) {
    const r = await p.run(["claim", STREAM, "--json"]);
    if (r.code !== 0 || r.stderr !== "") {
      return { who, ids, failure: `exit ${r.code}: ${r.stderr}` };
    }
    if (r.stdout === "") return { who, ids };
    const id = JSON.parse(r.stdout).id;
    ids.push(id);
    const done = await p.run(["complete", id, "--summary", `done by ${who}`]);
    if (done.code !== 0) return { who, ids, failure: `complete ${id}: ${done.stderr}` };
  }
}

/**
 * Every task of the stream (read from the database) claimed by exactly one claimer, in
 * FIFO order per claimer (tests/support/claims.ts), succeeded with one attempt; nothing
 * queued or running; no claimer failed.
 */
function assertAllDoneOnce(db: TestDatabase, claims: Claims[]): void {
  const rows = pgQuery(
    db.url,
    `SELECT t.id, t.status, t.attempts FROM tasks t JOIN streams s ON s.id = t.stream_id
     WHERE s.name = ? ORDER BY t.created_at, t.rowid`,
    STREAM,
  ) as { id: string; status: string; attempts: number }[];
  assertExactlyOnce(rows.map((r) => r.id), claims);
  const wrong = rows.filter((r) => r.status !== "succeeded" || r.attempts !== 1);
  assert.deepEqual(wrong, [], "every task succeeded on its first and only attempt");
}

function tally(claims: Claims[]): string {
  return claims.map((c) => `${c.who}: ${c.ids.length}`).join(", ");
}

Deno.test({
  name: "two folders, one PostgreSQL database: 4 claimers each take 2,000 tasks exactly once",
  ignore: !PG_ADMIN_URL,
  fn: async () => {
    const pair = await twoFolders();
    try {
      await oneQueue(pair);
      await fill(pair, TASKS - 1);
      const go = `${pair.a.dir}/go`;
      const workers = [
        ...startClaimers(pair.a, "a", go, 0),
        ...startClaimers(pair.b, "b", go, 0),
      ];
      await allReady(pair.a, "a");
      await allReady(pair.b, "b");
      const t0 = performance.now();
      await Deno.writeTextFile(go, "go");
      const [engine, cliA, cliB] = await Promise.all([
        collect(workers, "engine"),
        cliLoop(pair.a, "A's CLI"),
        cliLoop(pair.b, "B's CLI"),
      ]);
      const claims = [...engine, cliA, cliB];
      console.log(`${TASKS} tasks in ${Math.round(performance.now() - t0)} ms; ${tally(claims)}`);
      assertAllDoneOnce(pair.db, claims);
      assert.equal(claims.reduce((n, c) => n + c.ids.length, 0), TASKS);
      for (const [who, list] of [["A", engine.slice(0, 4)], ["B", engine.slice(4)]] as const) {
        assert.ok(list.some((c) => c.ids.length > 0), `folder ${who}'s claimers claimed nothing`);
      }
      assert.ok(cliA.ids.length + cliB.ids.length > 0, "no claim went through the CLI");
      assert.match(
        await pair.b.ok(["stream", "list"]),
        new RegExp(`^${STREAM}\\s+s1\\s+active\\s+0\\s+0\\s+0\\s+${TASKS}\\s+0`, "m"),
        "the stream's counts (kept by the database's trigger) agree",
      );
    } finally {
      await pair.cleanup();
    }
  },
});

Deno.test({
  name: "two folders, one PostgreSQL database: folder A's server is killed (SIGKILL) midway",
  ignore: !PG_ADMIN_URL,
  fn: async () => {
    const port = freePort();
    const pair = await twoFolders(["--port", String(port)]);
    let server: Spawned | undefined;
    try {
      await oneQueue(pair);
      await fill(pair, TASKS - 1);
      // A's server with the stream's watcher inside it (it looks at the queue on every
      // change notice); the test enqueues through its HTTP API while the claimers run.
      server = spawnRun(pair.a, ["--session", "s1"]);
      const url = `http://127.0.0.1:${port}`;
      assert.ok(
        await waitForHealth(url, server.child),
        `server did not start:\n${server.output()}`,
      );
      await server.waitFor(`Watching stream '${STREAM}'`);

      const go = `${pair.a.dir}/go`;
      const workers = [
        ...startClaimers(pair.a, "a", go, 10),
        ...startClaimers(pair.b, "b", go, 10),
      ];
      await allReady(pair.a, "a");
      await allReady(pair.b, "b");
      await Deno.writeTextFile(go, "go");
      const claiming = Promise.all([
        collect(workers, "engine"),
        cliLoop(pair.a, "A's CLI"),
        cliLoop(pair.b, "B's CLI"),
      ]);

      // Enqueue through A's server until a third of the stream is done, then kill it.
      const acked: string[] = [];
      let killed = false;
      const enqueuing = (async () => {
        for (let i = 0; !killed; i++) {
          try {
            const r = await api({ url }, "POST", "/api/tasks", {
              stream: STREAM,
              tool_name: "run-bash",
              payload: { api: i },
            });
            if (r.status === 201) acked.push((r.body as { id: string }).id);
            else throw new Error(`enqueue answered ${r.status}: ${JSON.stringify(r.body)}`);
          } catch (e) {
            if (killed) return;
            throw e;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const succeeded = () =>
        Number(
          pgQuery(pair.db.url, "SELECT COUNT(*) AS n FROM tasks WHERE status = 'succeeded'")[0].n,
        );
      let ended = false;
      claiming.then(() => ended = true, () => ended = true);
      const deadline = Date.now() + 120_000;
      while (succeeded() < TASKS / 3) {
        assert.ok(!ended && Date.now() < deadline, "the claimers stopped before a third was done");
        await new Promise((r) => setTimeout(r, 25));
      }
      const killedAt = new Date().toISOString();
      killed = true;
      const status = await server.stop("SIGKILL");
      const end = await server.done();
      assert.equal(end.signal, "SIGKILL", `the server was killed (exit ${status})`);
      await enqueuing;
      const doneAtKill = succeeded();

      const [engine, cliA, cliB] = await claiming;
      const claims = [...engine, cliA, cliB];
      console.log(
        `killed A's server with ${doneAtKill} tasks done and ${acked.length} enqueued ` +
          `through it; ${tally(claims)}`,
      );
      assert.ok(acked.length > 0, "nothing was enqueued through the server");
      assertAllDoneOnce(pair.db, claims);
      const total = claims.reduce((n, c) => n + c.ids.length, 0);
      assert.ok(total >= TASKS + acked.length, `${total} claims for ≥ ${TASKS + acked.length}`);
      const ids = new Set(claims.flatMap((c) => c.ids));
      assert.deepEqual(acked.filter((id) => !ids.has(id)), [], "every acknowledged enqueue ran");
      const after = pgQuery(
        pair.db.url,
        "SELECT COUNT(*) AS n FROM tasks WHERE started_at > ?",
        killedAt,
      );
      assert.ok(Number(after[0].n) > 0, "claims went on after the kill");
      assert.ok(doneAtKill < total, "the kill came before the end");

      // Folder A starts its server again: no lock of the killed one is left in the way.
      server = spawnRun(pair.a, ["--session", "s1"]);
      assert.ok(await waitForHealth(url, server.child), `restart failed:\n${server.output()}`);
      assert.match(await pair.a.ok(["status"]), /Server: running/);
    } finally {
      await server?.stop();
      await pair.cleanup();
    }
  },
});
