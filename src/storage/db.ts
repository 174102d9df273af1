/**
 * The SQLite connection: opening (pragmas, migrations), write transactions with
 * `BEGIN IMMEDIATE` and a bounded retry on BUSY, and a prepared-statement cache.
 * This folder is the only place in SparkQ that holds SQL.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { isSparkqError, SparkqError } from "../core/errors.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.ts";

/** How long one attempt waits inside SQLite's busy handler, in ms. */
const BUSY_TIMEOUT_MS = 1000;
/** Total time a write keeps retrying a locked database before giving up, in ms. */
const WRITE_DEADLINE_MS = 8000;

/** Options of `openDb`. */
export interface OpenOptions {
  /** Create the file when it does not exist (only `setup` does). */
  create?: boolean;
  /** Override of the total write-retry deadline, in ms. */
  writeDeadlineMs?: number;
}

/** A row as SQLite returns it. */
export type Row = Record<string, SQLInputValue>;

/** An open SparkQ database. */
export class Db {
  readonly path: string;
  readonly raw: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #depth = 0;
  #writeDeadlineMs: number;

  constructor(path: string, raw: DatabaseSync, writeDeadlineMs: number) {
    this.path = path;
    this.raw = raw;
    this.#writeDeadlineMs = writeDeadlineMs;
  }

  /** A cached prepared statement for `sql`. */
  stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** Runs `sql` and returns all rows. */
  all<T = Row>(sql: string, ...params: SQLInputValue[]): T[] {
    return guard(this.path, () => this.stmt(sql).all(...params) as T[]);
  }

  /** Runs `sql` and returns the first row, or undefined. */
  get<T = Row>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return guard(this.path, () => this.stmt(sql).get(...params) as T | undefined);
  }

  /** Runs `sql` and returns the number of changed rows. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return guard(this.path, () => Number(this.stmt(sql).run(...params).changes));
  }

  /**
   * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT`. On BUSY the whole transaction is
   * retried with jitter until the write deadline, then a clear error is thrown.
   * Nested calls join the outer transaction.
   */
  write<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    const deadline = Date.now() + this.#writeDeadlineMs;
    for (let attempt = 0;; attempt++) {
      try {
        this.raw.exec("BEGIN IMMEDIATE");
      } catch (e) {
        if (isBusy(e) && Date.now() < deadline) {
          sleepSync(5 + Math.random() * 20 * Math.min(attempt + 1, 5));
          continue;
        }
        throw dbError(this.path, e, this.#writeDeadlineMs);
      }
      this.#depth++;
      try {
        const result = fn();
        this.raw.exec("COMMIT");
        return result;
      } catch (e) {
        try {
          this.raw.exec("ROLLBACK");
        } catch { /* already rolled back */ }
        if (isBusy(e) && Date.now() < deadline) continue;
        if (isSparkqError(e)) throw e;
        throw dbError(this.path, e, this.#writeDeadlineMs);
      } finally {
        this.#depth--;
      }
    }
  }

  /** Closes the connection. */
  close(): void {
    this.#statements.clear();
    try {
      this.raw.close();
    } catch { /* already closed */ }
  }
}

/**
 * Opens (and with `create`, creates) the database at `path`: WAL, foreign keys,
 * busy timeout, synchronous=NORMAL, and migrations up to `SCHEMA_VERSION`.
 */
export function openDb(path: string, options: OpenOptions = {}): Db {
  if (!options.create && !fileExists(path)) {
    throw new SparkqError(`no database at ${path}`, {
      hint: "run 'sparkq setup' to create it (your sparkq.yml is kept)",
    });
  }
  let raw: DatabaseSync;
  try {
    raw = new DatabaseSync(path);
  } catch (e) {
    throw dbError(path, e, 0);
  }
  const db = new Db(path, raw, options.writeDeadlineMs ?? WRITE_DEADLINE_MS);
  try {
    raw.exec(
      `PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;`,
    );
    const version = Number((raw.prepare("PRAGMA user_version").get() as Row).user_version);
    if (version > SCHEMA_VERSION) {
      throw new SparkqError(
        `${path} has schema version ${version}, newer than this SparkQ understands (${SCHEMA_VERSION})`,
        { hint: "upgrade SparkQ, or point database.path at another file" },
      );
    }
    if (version < SCHEMA_VERSION) migrate(db, version);
  } catch (e) {
    db.close();
    if (isSparkqError(e)) throw e;
    throw dbError(path, e, 0);
  }
  return db;
}

function migrate(db: Db, from: number): void {
  if (from === 0) {
    const mode = db.raw.prepare("PRAGMA journal_mode=WAL").get() as Row;
    if (String(mode.journal_mode).toLowerCase() !== "wal") {
      throw new SparkqError(`could not switch ${db.path} to WAL mode`);
    }
    db.raw.exec("PRAGMA journal_size_limit=67108864");
  }
  db.write(() => {
    const current = Number((db.raw.prepare("PRAGMA user_version").get() as Row).user_version);
    for (let v = current; v < SCHEMA_VERSION; v++) db.raw.exec(MIGRATIONS[v]);
    db.raw.exec(`PRAGMA user_version=${SCHEMA_VERSION}`);
  });
}

/** True when `e` is SQLite's "database is locked" / BUSY. */
export function isBusy(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /database is locked|SQLITE_BUSY|database is busy/i.test(msg);
}

function guard<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isSparkqError(e)) throw e;
    throw dbError(path, e, 0);
  }
}

/** Turns a SQLite or permission failure into a clear SparkqError. */
function dbError(path: string, e: unknown, waitedMs: number): SparkqError {
  const msg = e instanceof Error ? e.message : String(e);
  if (isBusy(e)) {
    return new SparkqError(
      `the database ${path} is locked by another process (gave up after ${
        Math.round(waitedMs / 100) / 10
      } s)`,
      { status: 503, hint: "another SparkQ command or tool holds a write lock; try again" },
    );
  }
  if (/not a database|malformed|file is encrypted/i.test(msg)) {
    return new SparkqError(`${path} is not a usable SQLite database (${msg})`, {
      status: 500,
      hint: "move the file away and run 'sparkq setup' to create a fresh one",
    });
  }
  if (e instanceof Deno.errors.NotCapable || /Requires (read|write) access/.test(msg)) {
    return new SparkqError(
      `SparkQ is not allowed to open ${path}: ${msg.replace(/, run again with.*$/, "")}`,
      {
        status: 500,
        hint:
          "database.path must lie inside the SparkQ folder or the temp dir (see README: Permissions)",
      },
    );
  }
  if (/unable to open/i.test(msg)) {
    return new SparkqError(`cannot open the database ${path} (${msg})`, { status: 500 });
  }
  if (e instanceof Error) throw e;
  return new SparkqError(msg, { status: 500 });
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw dbError(path, e, 0);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` milliseconds. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
