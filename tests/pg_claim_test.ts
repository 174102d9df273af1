/**
 * The PostgreSQL claim (issue 14): one statement that locks the oldest queued task with
 * `FOR UPDATE SKIP LOCKED`, run beside other writers (`write(fn, { concurrent: true })`)
 * and holding a share lock on its stream while the stream is active.
 *
 * - A claim does not wait for a write transaction that holds the store-wide write lock
 *   (a long enqueue, a purge step): the holder is still holding it when the claim is done.
 *   Nor do opening the store (its meta is read without a transaction) and a worker's
 *   `complete` (guarded, so it runs beside other writers too).
 * - A claim that meets a stream being ended (its UPDATE not yet committed) waits for the
 *   end and takes nothing: a task is never claimed from a stream that `stream end`
 *   reported as ended with its queued tasks stranded.
 *
 * In-process engine over a fresh database; the holders are another process (a real SparkQ
 * write, tests/fixtures/pg_hold_write.ts) and a plain driver connection. Needs
 * SPARKQ_TEST_PG (see tests/support/backend.ts); ignored without it.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { ConfigSchema } from "../src/config/schema.ts";
import { newId } from "../src/core/ids.ts";
import { parseDatabaseUrl } from "../src/core/database_url.ts";
import type { EngineContext } from "../src/engine/context.ts";
import { claim, complete, enqueue } from "../src/engine/queue.ts";
import { createSession } from "../src/engine/sessions.ts";
import { createStream } from "../src/engine/streams.ts";
import { openPostgres } from "../src/storage/postgres/mod.ts";
import { insertProject } from "../src/storage/projects.ts";
import { getTask } from "../src/storage/tasks.ts";
import { getStreamByName } from "../src/storage/streams.ts";
import { freshDatabase, PG_ADMIN_URL, type TestDatabase } from "./support/backend.ts";
import { DENO, ROOT, SPARKQ_FLAGS, spawn } from "./support/process.ts";

const HOLDER = `${ROOT}/tests/fixtures/pg_hold_write.ts`;
const ignore = PG_ADMIN_URL === undefined;

/** A fresh database with a project, session `s` and stream `main`, and two queued tasks. */
async function setUp(): Promise<{ ctx: EngineContext; pg: TestDatabase; ids: string[] }> {
  const pg = freshDatabase();
  const db = openPostgres(parseDatabaseUrl(pg.url), { create: true });
  const ctx: EngineContext = {
    db,
    config: ConfigSchema.parse({ project: { name: "pg-claim" } }),
  };
  const now = new Date().toISOString();
  insertProject(db, {
    id: newId("prj"),
    name: "pg-claim",
    repo_path: null,
    prd_path: null,
    created_at: now,
    updated_at: now,
  });
  createSession(ctx, { name: "s" });
  createStream(ctx, { name: "main", session: "s" });
  const ids: string[] = [];
  for (const n of [1, 2]) {
    ids.push((await enqueue(ctx, { stream: "main", tool: "run-bash", payload: { n } })).id);
  }
  return { ctx, pg, ids };
}

/** Other sessions on this database that are running `pg_sleep` right now. */
function sleepers(ctx: EngineContext): number {
  return Number(
    ctx.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND state = 'active' AND wait_event = 'PgSleep'`,
    )!.n,
  );
}

/** Waits until `cond` holds; throws after 20 s, with `why` and what the holder printed. */
async function until(cond: () => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${why()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Ends every `pg_sleep` of other sessions on this database. */
function wakeSleepers(ctx: EngineContext): void {
  ctx.db.get(
    `SELECT COUNT(pg_cancel_backend(pid)) AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'`,
  );
}

Deno.test({
  name: "PostgreSQL: a claim runs beside a write that holds the store's write lock",
  ignore,
  async fn() {
    const { ctx, pg, ids } = await setUp();
    const holder = spawn(DENO, ["run", ...SPARKQ_FLAGS, HOLDER, pg.url, "20"], {
      cwd: ROOT,
      env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    });
    try {
      await holder.waitFor("holding");
      await until(() => sleepers(ctx) > 0, () => `the holder never slept: ${holder.output()}`);
      const held = () =>
        Number(
          ctx.db.get<{ n: number }>(
            `SELECT COUNT(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()`,
          )!.n,
        );
      assert.equal(held(), 1, "the holder has the write lock");
      const got = claim(ctx, "main");
      assert.equal(got?.id, ids[0], "the oldest task, claimed");
      assert.equal(held(), 1, "claimed while the write lock was still held");
      assert.equal(sleepers(ctx), 1, "the holder is still inside its write");
      assert.equal(getTask(ctx.db, ids[0])?.status, "running");
      // Opening the store (as every command does) and a worker's report do not wait either.
      const second = openPostgres(parseDatabaseUrl(pg.url));
      second.close();
      complete(ctx, ids[0], { result: { summary: "done beside the held lock" } });
      assert.equal(getTask(ctx.db, ids[0])?.status, "succeeded");
      assert.equal(held(), 1, "opened and completed while the write lock was still held");
      assert.equal(sleepers(ctx), 1, "the holder is still inside its write");
    } finally {
      wakeSleepers(ctx);
      await holder.stop();
      ctx.db.close();
      pg.drop();
    }
  },
});

Deno.test({
  name: "PostgreSQL: a claim that meets a stream being ended waits for it and takes nothing",
  ignore,
  async fn() {
    const { ctx, pg, ids } = await setUp();
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const streamId = getStreamByName(ctx.db, "main")!.id;
      // The end's UPDATE runs, then the transaction sleeps before its commit.
      const ending = sql.unsafe(
        `BEGIN; UPDATE streams SET status = 'ended' WHERE id = '${streamId}';
         SELECT pg_sleep(1); COMMIT`,
      ).simple().execute(); // the driver's queries start when asked (or awaited)
      await until(() => sleepers(ctx) > 0, () => "the end never reached its sleep");
      assert.equal(claim(ctx, "main"), undefined, "nothing claimed from the ended stream");
      assert.equal(sleepers(ctx), 0, "the claim waited for the end's commit");
      await ending;
      for (const id of ids) assert.equal(getTask(ctx.db, id)?.status, "queued");
      assert.equal(Number(getTask(ctx.db, ids[0])?.attempts), 0);
    } finally {
      await sql.end({ timeout: 1 });
      ctx.db.close();
      pg.drop();
    }
  },
});
