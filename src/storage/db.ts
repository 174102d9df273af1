/**
 * The SQLite connection: opening (pragmas, migrations), write transactions with
 * `BEGIN IMMEDIATE` and a bounded retry on BUSY, and a prepared-statement cache.
 * This folder is the only place in SparkQ that holds SQL.
 *
 * A connection remembers which file it opened (device and inode). Before and after
 * every write it checks that the path still names that file: a database deleted or
 * replaced under a long-running process refuses writes (503, code `internal`) instead
 * of acknowledging writes that went nowhere (SPEC §12.4). Long-running processes also
 * call `checkFile` on a timer.
 */
import { requireInScope } from "../platform/fs_scope.ts";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { diskFull, isDiskFull, isSparkqError, SparkqError } from "../core/errors.ts";
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

/** A row as the database returns it. */
export type Row = Record<string, SQLInputValue>;

/** A value bound to a `?` parameter. */
export type SqlParam = SQLInputValue;

/** Options of `Db.write`. */
export interface WriteOptions {
  /**
   * The transaction's writes are all guarded by the state they expect (a claim, a
   * report, the auto-fail sweep), so it may run beside other writers: PostgreSQL then
   * skips the store-wide write lock every other write transaction takes (SQLite
   * serialises every writer anyway).
   */
  concurrent?: boolean;
}

/**
 * An open SparkQ store: a SQLite file (`SqliteDb`, below) or a PostgreSQL database
 * (`storage/postgres/db.ts`). Storage functions take this and pick their SQL by
 * `dialect` where the two differ; nothing above storage sees the difference.
 * Parameters are written `?` (or `?N`) in both dialects.
 */
export interface Db {
  /** Which SQL the store speaks. */
  readonly dialect: "sqlite" | "postgres";
  /** The file's path, or the database URL without its password (for messages). */
  readonly path: string;
  /** True once the store was found gone (SQLite: its file deleted or replaced). */
  readonly lost: boolean;
  /** Throws when the store is gone (see `lost`); a no-op for PostgreSQL. */
  checkFile(): void;
  /** Runs `sql` and returns all rows. */
  all<T = Row>(sql: string, ...params: SqlParam[]): T[];
  /** Runs `sql` and returns the first row, or undefined. */
  get<T = Row>(sql: string, ...params: SqlParam[]): T | undefined;
  /** Runs `sql` and returns the number of changed rows. */
  run(sql: string, ...params: SqlParam[]): number;
  /** Runs statements without parameters (DDL, several at once). */
  exec(sql: string): void;
  /**
   * Runs `fn` inside one write transaction, retried as a whole when the store reports
   * contention, until a deadline. Nested calls join the outer transaction.
   */
  write<T>(fn: () => T, options?: WriteOptions): T;
  /**
   * A marker that changes whenever any connection commits. SQLite: `data_version` (other
   * connections) and `total_changes()` (this one). PostgreSQL: how many change notices
   * (LISTEN/NOTIFY) arrived, listening from the first call on.
   */
  changeMarker(): string;
  /**
   * Notice of commits by any connection, for waiting without polling: PostgreSQL's
   * LISTEN/NOTIFY. Absent for SQLite, whose notice is an inotify watch on its WAL file
   * (watcher/db_changes.ts).
   */
  listen?(): ChangeFeed;
  /** Closes the connection. */
  close(): void;
}

/** Early notice of commits (callers keep a slower safety look beside it). */
export interface ChangeFeed {
  /** True while notices arrive; false means the caller must poll. */
  readonly live: boolean;
  /** Calls `fn` after each burst of commits; returns a function that unsubscribes. */
  onChange(fn: () => void): () => void;
  /** Starts listening again if the listening was lost. */
  rearm(): void;
  /** Stops listening. */
  close(): void;
}

/** True for a SQLite store (the file-only upkeep: pragmas, checkpoints, WAL). */
export function isSqlite(db: Db): db is SqliteDb {
  return db.dialect === "sqlite";
}

/** An open SQLite database file. */
export class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  readonly path: string;
  readonly raw: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #depth = 0;
  #writeDeadlineMs: number;
  /** Device and inode of the file this connection opened. */
  #identity: string | undefined;
  /** Why the file is gone ("deleted", "replaced"), once noticed. */
  #lost: string | undefined;

  constructor(path: string, raw: DatabaseSync, writeDeadlineMs: number) {
    this.path = path;
    this.raw = raw;
    this.#writeDeadlineMs = writeDeadlineMs;
  }

  /** Remembers the file now at `path` as the one this connection uses. */
  pinFile(): void {
    this.#identity = fileIdentity(this.path);
  }

  /**
   * Throws (503, code `internal`) when `path` no longer names the file this
   * connection opened: it was deleted or replaced. One stat; once noticed, it stays.
   */
  checkFile(): void {
    if (this.#lost === undefined && this.#identity !== undefined) {
      const now = fileIdentity(this.path);
      if (now !== this.#identity) this.#lost = now === undefined ? "deleted" : "replaced";
    }
    if (this.#lost !== undefined) throw lostFile(this.path, this.#lost);
  }

  /** True once the database file was found deleted or replaced. */
  get lost(): boolean {
    return this.#lost !== undefined;
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

  /** Runs statements without parameters. */
  exec(sql: string): void {
    guard(this.path, () => this.raw.exec(sql));
  }

  /** `data_version` (other connections' commits) and `total_changes()` (this one's). */
  changeMarker(): string {
    const r = this.get<{ v: number; c: number }>(
      "SELECT (SELECT data_version FROM pragma_data_version) AS v, total_changes() AS c",
    );
    return `${r?.v}:${r?.c}`;
  }

  /**
   * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT`. On BUSY the whole transaction is
   * retried with jitter until the write deadline, then a clear error is thrown.
   * Nested calls join the outer transaction.
   */
  write<T>(fn: () => T, _options?: WriteOptions): T {
    if (this.#depth > 0) return fn();
    this.checkFile();
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
        this.checkFile(); // committed to a file that is gone: not a success
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
export function openDb(path: string, options: OpenOptions = {}): SqliteDb {
  requireInScope(path, "write", "the database (database.path)");
  if (!options.create && !fileExists(path)) {
    throw new SparkqError(`no database at ${path}`, {
      code: "config",
      hint: "run 'sparkq setup' to create it (your sparkq.yml is kept)",
    });
  }
  if (!options.create && isEmptyFile(path)) {
    throw new SparkqError(`${path} is empty (0 bytes): not a SparkQ database`, {
      code: "internal",
      hint: "only 'sparkq setup' creates a database: run it to set this file up",
    });
  }
  let raw: DatabaseSync;
  try {
    raw = new DatabaseSync(path);
  } catch (e) {
    throw dbError(path, e, 0);
  }
  const db = new SqliteDb(path, raw, options.writeDeadlineMs ?? WRITE_DEADLINE_MS);
  try {
    raw.exec(
      `PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;`,
    );
    const version = Number((raw.prepare("PRAGMA user_version").get() as Row).user_version);
    if (version > SCHEMA_VERSION) {
      throw new SparkqError(
        `${path} has schema version ${version}, newer than this SparkQ understands (${SCHEMA_VERSION})`,
        { code: "config", hint: "upgrade SparkQ, or point database.path at another file" },
      );
    }
    if (version < SCHEMA_VERSION) migrate(db, version);
    db.pinFile();
  } catch (e) {
    db.close();
    if (isSparkqError(e)) throw e;
    throw dbError(path, e, 0);
  }
  return db;
}

function migrate(db: SqliteDb, from: number): void {
  if (from === 0) {
    const mode = db.raw.prepare("PRAGMA journal_mode=WAL").get() as Row;
    if (String(mode.journal_mode).toLowerCase() !== "wal") {
      throw new SparkqError(`could not switch ${db.path} to WAL mode`, { code: "internal" });
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

/**
 * Runs SQLite's `PRAGMA quick_check` (every page and b-tree, not the indexes'
 * contents): a damaged file is refused with a clear error. Linear in the file's size.
 */
export function checkIntegrity(db: Db): void {
  if (!isSqlite(db)) return; // PostgreSQL checks its own pages
  const rows = db.all<{ quick_check: string }>("PRAGMA quick_check(5)");
  const problems = rows.map((r) => String(r.quick_check)).filter((t) => t !== "ok");
  if (problems.length) throw damaged(db.path, problems.join("; "));
}

const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

function sqliteCode(e: unknown): number | undefined {
  const code = (e as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" ? code & 0xff : undefined;
}

function damaged(path: string, why: string): SparkqError {
  return new SparkqError(`the database ${path} is damaged or not a SparkQ database (${why})`, {
    code: "internal",
    hint:
      "keep a copy of the file, move it away and run 'sparkq setup' to create a fresh one (the sqlite3 shell's .recover may save its tasks)",
  });
}

function lostFile(path: string, how: string): SparkqError {
  return new SparkqError(
    `the database file ${path} was ${how} while SparkQ was running: writes are refused (nothing would be saved)`,
    {
      code: "internal",
      status: 503,
      hint:
        "restore the file (or run 'sparkq setup' to create a new one), then restart this process",
    },
  );
}

/** Turns a SQLite or permission failure into a clear SparkqError. */
function dbError(path: string, e: unknown, waitedMs: number): SparkqError {
  const msg = e instanceof Error ? e.message : String(e);
  if (isDiskFull(e)) return diskFull(path);
  const code = sqliteCode(e);
  if (
    code === SQLITE_CORRUPT || code === SQLITE_NOTADB ||
    /not a database|malformed|file is encrypted/i.test(msg)
  ) {
    return damaged(path, msg);
  }
  if (isBusy(e)) {
    return new SparkqError(
      `the database ${path} is locked by another process (gave up after ${
        Math.round(waitedMs / 100) / 10
      } s)`,
      {
        code: "locked",
        status: 503,
        hint: "another SparkQ command or tool holds a write lock; try again",
      },
    );
  }
  if (e instanceof Deno.errors.NotCapable || /Requires (read|write) access/.test(msg)) {
    return new SparkqError(
      `SparkQ is not allowed to open ${path}: ${msg.replace(/, run again with.*$/, "")}`,
      {
        code: "permission",
        status: 500,
        hint:
          "database.path must lie inside the SparkQ folder or the temp dir (see README: Permissions)",
      },
    );
  }
  if (/unable to open/i.test(msg)) {
    return new SparkqError(`cannot open the database ${path} (${msg})`, {
      code: "internal",
      status: 500,
    });
  }
  if (e instanceof Error) throw e;
  return new SparkqError(msg, { code: "internal", status: 500 });
}

/** `dev:ino` of the file at `path`, or undefined when there is none. */
function fileIdentity(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

/** A zero-length file with no write-ahead log holding its first pages. */
function isEmptyFile(path: string): boolean {
  try {
    if (Deno.statSync(path).size > 0) return false;
  } catch {
    return false;
  }
  try {
    return Deno.statSync(`${path}-wal`).size === 0;
  } catch {
    return true;
  }
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

const OPEN = Symbol.for("sparkq.open-stores");

/**
 * Notes a store as open (or, with `open` false, closed), so `closeOpenStores` can close
 * it. Kept on `globalThis`: a cold module's bundle carries its own copy of this file.
 */
export function trackOpen(db: Db, open = true): void {
  const g = globalThis as unknown as Record<symbol, Set<Db> | undefined>;
  const set = g[OPEN] ??= new Set();
  if (open) set.add(db);
  else set.delete(db);
}

/**
 * Closes every store still open. The CLI calls it when a command ends: a PostgreSQL
 * store's thread would otherwise keep the process alive.
 */
export function closeOpenStores(): void {
  const set = (globalThis as unknown as Record<symbol, Set<Db> | undefined>)[OPEN];
  for (const db of [...set ?? []]) db.close();
}
