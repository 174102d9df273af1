/**
 * Which store the tests of this test module run on, and the PostgreSQL side of it.
 *
 * A suite written once runs on both stores: `tests/<suite>_test.ts` runs on SQLite, and
 * `tests/pg/<suite>_pg_test.ts` calls {@link suiteOnPostgres}, which marks its module
 * (each test module runs in its own isolate, so a flag on `globalThis` is per module)
 * and then imports the suite, its tests named "… [postgres]". Helpers ask
 * {@link onPostgres} and give each project a database of its own ({@link freshDatabase})
 * in the server `SPARKQ_TEST_PG` names (`scripts/pg_cluster.sh` starts a throwaway
 * cluster for `./setup.sh test`). Without `SPARKQ_TEST_PG` the PostgreSQL suites
 * register one ignored test each: reported as skipped, never as passed.
 *
 * Databases are made and rows read and written through SparkQ's own `PgDb` (the
 * synchronous bridge over the npm `postgres` driver), so the helpers, and the engine
 * tests' `testEngine`, stay synchronous on both stores.
 */
import { parseDatabaseUrl } from "../../src/core/database_url.ts";
import type { Row, SqlParam } from "../../src/storage/db.ts";
import { PgDb } from "../../src/storage/postgres/db.ts";

/** A store SparkQ can run on. */
export type Backend = "sqlite" | "postgres";

const FLAG = Symbol.for("sparkq.test-backend");
const flags = globalThis as unknown as Record<symbol, Backend | undefined>;

/** The PostgreSQL server the PostgreSQL suites use: `SPARKQ_TEST_PG`, or undefined. */
export const PG_ADMIN_URL: string | undefined = Deno.env.get("SPARKQ_TEST_PG") || undefined;

/** The store this test module's tests run on (default SQLite). */
export function backend(): Backend {
  return flags[FLAG] ?? "sqlite";
}

/** True when this test module runs on PostgreSQL. */
export function onPostgres(): boolean {
  return backend() === "postgres";
}

/**
 * Test options for a test that is about the SQLite file itself (WAL, the file's
 * deletion, its migrations, its query plans): ignored when the module runs on PostgreSQL.
 * Call it as the suite loads: `Deno.test("…", sqliteOnly(), fn)`.
 */
export function sqliteOnly(): { ignore: boolean } {
  return { ignore: onPostgres() };
}

/** Registers a test from the wrapper's own module: `(t) => Deno.test(t)`. */
export type Register = (t: Deno.TestDefinition) => void;

/** The suffix of a test's name when it runs on PostgreSQL. */
export const PG_SUFFIX = " [postgres]";

/**
 * Runs a suite on PostgreSQL: marks this module, then loads the suite, whose tests
 * register as it loads. Each is handed to `register`, named with {@link PG_SUFFIX}:
 * called from the wrapper's module, it files the tests under the wrapper (the JUnit
 * report names each test's file by where `Deno.test` was called), apart from the same
 * tests on SQLite. Without `SPARKQ_TEST_PG`, registers one ignored test instead.
 */
export async function suiteOnPostgres(
  suite: string,
  load: () => Promise<unknown>,
  register: Register,
): Promise<void> {
  if (PG_ADMIN_URL === undefined) {
    register({ name: `${suite} on PostgreSQL (SPARKQ_TEST_PG is not set)`, ignore: true, fn() {} });
    return;
  }
  flags[FLAG] = "postgres";
  const deno = Deno as unknown as { test: (...args: unknown[]) => void };
  const original = deno.test;
  const renamed = (...args: unknown[]) => {
    const t = testDefinition(args);
    deno.test = original; // `register` calls Deno.test: the real one
    try {
      register({ ...t, name: t.name + PG_SUFFIX });
    } finally {
      deno.test = renamed;
    }
  };
  deno.test = renamed;
  try {
    await load();
  } finally {
    deno.test = original;
  }
}

/** One `Deno.test` call's arguments (any of its forms) as one definition. */
function testDefinition(args: unknown[]): Deno.TestDefinition {
  const t: Partial<Deno.TestDefinition> = {};
  for (const a of args) {
    if (typeof a === "string") t.name = a;
    else if (typeof a === "function") t.fn = a as Deno.TestDefinition["fn"];
    else if (a !== null && typeof a === "object") Object.assign(t, a);
  }
  if (!t.fn) throw new Error(`Deno.test without a function: ${t.name}`);
  return { ...t, name: t.name || t.fn.name, fn: t.fn };
}

/**
 * SQL for seeding many rows in one statement, in the dialect of this module's store: a
 * task ID (`tsk_` and 12 hex digits) made of the integer expression `n`.
 */
export function sqlTaskId(n: string): string {
  return onPostgres() ? `'tsk_' || lpad(to_hex(${n}), 12, '0')` : `printf('tsk_%012x', ${n})`;
}

/** SQL for a text of `count` (even) "0" characters, in the dialect of this module's store. */
export function sqlZeros(count: number): string {
  return onPostgres() ? `repeat('0', ${count})` : `hex(zeroblob(${count / 2}))`;
}

/** A database made for one test project. */
export interface TestDatabase {
  /** Its connection URL. */
  url: string;
  /** Drops it (closing every connection to it first); a second call does nothing. */
  drop(): void;
}

/** The databases this module made and has not dropped yet. */
const made = new Set<string>();
let unloadHooked = false;
/** Kept connections, by URL. */
const open = new Map<string, PgDb>();

/** The connection to the server's administrative database (kept for the module). */
function admin(): PgDb {
  if (PG_ADMIN_URL === undefined) throw new Error("SPARKQ_TEST_PG is not set");
  return pgStore(PG_ADMIN_URL);
}

function dropDatabase(name: string): void {
  if (!made.delete(name)) return;
  closeStore(urlOf(name));
  admin().exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

function urlOf(name: string): string {
  const u = new URL(PG_ADMIN_URL!);
  u.pathname = `/${name}`;
  return u.href;
}

/**
 * Creates an empty database `sparkq_t_<random>` in the `SPARKQ_TEST_PG` server. Any not
 * dropped by the end of the test module are dropped then.
 */
export function freshDatabase(): TestDatabase {
  const name = `sparkq_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  admin().exec(`CREATE DATABASE ${name}`);
  made.add(name);
  if (!unloadHooked) {
    unloadHooked = true;
    globalThis.addEventListener("unload", () => {
      for (const n of [...made]) {
        try {
          dropDatabase(n);
        } catch { /* the server went first */ }
      }
      for (const url of [...open.keys()]) closeStore(url);
    });
  }
  return { url: urlOf(name), drop: () => dropDatabase(name) };
}

/** True for a store named by a PostgreSQL URL (else it is a SQLite file's path). */
export function isPgUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//.test(store);
}

/** A connection to the PostgreSQL store at `url`, opened once and kept until `closeStore`. */
export function pgStore(url: string): PgDb {
  let db = open.get(url);
  if (!db) {
    db = new PgDb(parseDatabaseUrl(url));
    open.set(url, db);
  }
  return db;
}

/** Closes the kept connection to `url`, if any. */
export function closeStore(url: string): void {
  open.get(url)?.close();
  open.delete(url);
}

/** Runs one query on the PostgreSQL store at `url` (`?` parameters); returns the rows. */
export function pgQuery(url: string, sql: string, ...params: SqlParam[]): Row[] {
  return pgStore(url).all(sql, ...params);
}

/** Runs one write statement on the PostgreSQL store at `url`; returns the changed rows. */
export function pgExec(url: string, sql: string, ...params: SqlParam[]): number {
  return pgStore(url).run(sql, ...params);
}
