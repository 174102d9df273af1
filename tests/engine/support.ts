/**
 * In-process engine tests: a real store (a SQLite file in a temp dir, or on PostgreSQL
 * a fresh database: tests/support/backend.ts), a config built by the real schema, and a
 * clock the test moves by hand (EngineContext.now). No subprocess: these run in
 * milliseconds and fail exactly where a queue rule breaks.
 */
import { ConfigSchema } from "../../src/config/schema.ts";
import type { EngineContext } from "../../src/engine/context.ts";
import { createSession } from "../../src/engine/sessions.ts";
import { createStream } from "../../src/engine/streams.ts";
import { newId } from "../../src/core/ids.ts";
import { parseDatabaseUrl } from "../../src/core/database_url.ts";
import { type Db, openDb } from "../../src/storage/db.ts";
import { openPostgres } from "../../src/storage/postgres/mod.ts";
import { freshDatabase, onPostgres } from "../support/backend.ts";
import { insertProject } from "../../src/storage/projects.ts";
import { getTask as getRow } from "../../src/storage/tasks.ts";
import type { TaskRow } from "../../src/core/schemas.ts";

/** A fixed starting instant, so every timestamp in a test is predictable. */
export const T0 = Date.parse("2026-03-01T12:00:00.000Z");

/** An engine over a fresh database, with a hand-moved clock. */
export interface TestEngine extends EngineContext {
  db: Db;
  /** The clock, in ms since the epoch; tests set it directly. */
  clock: { ms: number };
  /** Sets the clock to `T0 + ms`. */
  at(ms: number): void;
  /** The stored row of a task (what the database holds, columns as stored). */
  row(id: string): TaskRow;
  /** A second connection to the same store (the caller closes it). */
  reopen(): Db;
  /** Closes the database and removes the temp dir (on PostgreSQL: drops the database). */
  close(): void;
}

/**
 * Opens a fresh project database (in a temp dir, or on PostgreSQL a database of its own)
 * with one active session `s` and the given active streams (default `main`). The clock
 * starts at `T0`.
 */
export function testEngine(streams: string[] = ["main"]): TestEngine {
  const dir = Deno.makeTempDirSync({ prefix: "sparkq-engine-" });
  const pg = onPostgres() ? freshDatabase() : undefined;
  const open = (create: boolean): Db =>
    pg
      ? openPostgres(parseDatabaseUrl(pg.url), { create })
      : openDb(`${dir}/sparkq.db`, { create });
  const db = open(true);
  const clock = { ms: T0 };
  const config = ConfigSchema.parse({ project: { name: "engine-test" } });
  const stamp = new Date(T0).toISOString();
  insertProject(db, {
    id: newId("prj"),
    name: "engine-test",
    repo_path: null,
    prd_path: null,
    created_at: stamp,
    updated_at: stamp,
  });
  const engine: TestEngine = {
    db,
    config,
    clock,
    now: () => clock.ms,
    at: (ms) => clock.ms = T0 + ms,
    row: (id) => {
      const r = getRow(db, id);
      if (!r) throw new Error(`no row ${id}`);
      return r;
    },
    reopen: () => open(false),
    close: () => {
      db.close();
      try {
        pg?.drop();
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    },
  };
  createSession(engine, { name: "s" });
  for (const name of streams) createStream(engine, { name, session: "s" });
  return engine;
}

/**
 * Test-only: records a heartbeat by writing `heartbeat_at` directly (the heartbeat
 * command is its own engine rule; these tests only need the column set).
 */
export function setHeartbeat(e: TestEngine, id: string, atMs: number): void {
  const n = e.db.run(
    "UPDATE tasks SET heartbeat_at = ? WHERE id = ?",
    new Date(T0 + atMs).toISOString(),
    id,
  );
  if (n !== 1) throw new Error(`no task ${id}`);
}
