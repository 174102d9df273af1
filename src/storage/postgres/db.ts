/**
 * `PgDb`: the `Db` of a PostgreSQL store, synchronous like SQLite's. The driver runs on
 * its own thread (./worker.ts); each call here posts a request and blocks on a shared
 * flag until the answer is in a shared buffer. A CLI command's handful of statements
 * pay about 0.2 ms each for the hop (BENCHMARKS.md); in exchange the engine stays one
 * synchronous engine over both stores, and one connection can never interleave two
 * callers' transactions.
 *
 * Write transactions take a store-wide advisory lock (`WRITE_LOCK`), so every SparkQ
 * write on every machine runs one at a time, as SQLite's `BEGIN IMMEDIATE` does: the
 * engine's read-then-write rules hold unchanged. Only transactions whose every write is
 * guarded by the state it expects (`write(fn, { concurrent: true })`: a claim, with its
 * `FOR UPDATE SKIP LOCKED`; a worker's report; the auto-fail sweep) run beside other
 * writers, their row locks ordering them.
 */
import { isSparkqError, SparkqError } from "../../core/errors.ts";
import { coldUrl } from "../../core/cold.ts";
import type { DatabaseUrl } from "../../core/database_url.ts";
import type { ChangeFeed, Db, Row, SqlParam, WriteOptions } from "../db.ts";
import { trackOpen } from "../db.ts";
import { pgError } from "./errors.ts";

/** The advisory lock every non-concurrent write transaction holds (ASCII "SPKQ"). */
const WRITE_LOCK = 0x53504b51;
const BEGIN_LOCKED = `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`;
/** How long a write keeps retrying a deadlock or serialization failure, in ms. */
const WRITE_DEADLINE_MS = 8000;
/** The longest one request may take before the connection is declared stuck, in ms. */
const REQUEST_DEADLINE_MS = 10 * 60_000;
/** Initial and largest size of the shared answer buffer. */
const BUFFER_BYTES = 1 << 16;
const BUFFER_MAX_BYTES = 1 << 30;

interface Answer {
  rows?: Row[];
  count?: number;
  error?: { message: string; code?: string; name?: string };
}

/** An open PostgreSQL store. */
export class PgDb implements Db {
  readonly dialect = "postgres" as const;
  readonly path: string;
  readonly lost = false;
  readonly target: DatabaseUrl;
  #worker: Worker;
  #ctrl = new Int32Array(new SharedArrayBuffer(8));
  #data: SharedArrayBuffer;
  #depth = 0;
  #sql = new Map<string, string>();
  #notices = 0;
  #listening = false;
  #listeners = new Set<() => void>();
  #closed = false;

  /** Starts the connection's thread and connects (throws a clear error when it cannot). */
  constructor(target: DatabaseUrl) {
    this.target = target;
    this.path = target.redacted;
    const Shared = SharedArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => SharedArrayBuffer;
    this.#data = new Shared(BUFFER_BYTES, { maxByteLength: BUFFER_MAX_BYTES });
    this.#worker = new Worker(coldUrl("pgworker"), { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<{ notice?: boolean }>) => {
      if (!e.data?.notice) return;
      this.#notices++;
      for (const fn of [...this.#listeners]) fn();
    };
    trackOpen(this);
    try {
      this.#call({ op: "open", url: target.url, ctrl: this.#ctrl.buffer, data: this.#data });
    } catch (e) {
      this.close();
      throw e;
    }
  }

  checkFile(): void {}

  all<T = Row>(sql: string, ...params: SqlParam[]): T[] {
    return this.#query(sql, params).rows as T[];
  }

  get<T = Row>(sql: string, ...params: SqlParam[]): T | undefined {
    return this.#query(sql, params).rows![0] as T | undefined;
  }

  run(sql: string, ...params: SqlParam[]): number {
    return this.#query(sql, params).count ?? 0;
  }

  exec(sql: string): void {
    this.#call({ op: "exec", sql });
  }

  write<T>(fn: () => T, options: WriteOptions = {}): T {
    if (this.#depth > 0) return fn();
    const deadline = Date.now() + WRITE_DEADLINE_MS;
    for (let attempt = 0;; attempt++) {
      // One round trip: BEGIN and (unless concurrent) the write lock, sent together.
      this.#call({ op: "exec", sql: options.concurrent ? "BEGIN" : BEGIN_LOCKED });
      this.#depth++;
      try {
        const result = fn();
        this.#call({ op: "exec", sql: "COMMIT" });
        return result;
      } catch (e) {
        try {
          this.#call({ op: "exec", sql: "ROLLBACK" });
        } catch { /* the connection is gone: the server rolled back */ }
        if (isSparkqError(e) && e.code === "locked" && Date.now() < deadline) {
          sleep(5 + Math.random() * 20 * Math.min(attempt + 1, 5));
          continue;
        }
        throw e;
      } finally {
        this.#depth--;
      }
    }
  }

  /**
   * The change sequence (advanced by every writing statement, so a lost notice cannot
   * hide a change) and the notices received (which arrive after the commit, so a read
   * cached between a write's statement and its commit is dropped when the notice lands).
   */
  changeMarker(): string {
    this.#listen();
    const r = this.get<{ v: number }>("SELECT last_value AS v FROM sparkq_changes");
    return `${r?.v}:${this.#notices}`;
  }

  listen(): ChangeFeed {
    const mine = new Set<() => void>();
    let live = false;
    const start = () => {
      try {
        this.#listen();
        live = true;
      } catch { /* the caller polls */ }
    };
    start();
    return {
      get live() {
        return live;
      },
      onChange: (fn) => {
        mine.add(fn);
        this.#listeners.add(fn);
        return () => {
          mine.delete(fn);
          this.#listeners.delete(fn);
        };
      },
      rearm: () => {
        if (!live) start();
      },
      close: () => {
        for (const fn of mine) this.#listeners.delete(fn);
        mine.clear();
      },
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#call({ op: "close" }, 2000);
    } catch { /* closing anyway */ }
    this.#worker.terminate();
    trackOpen(this, false);
  }

  #listen(): void {
    if (this.#listening) return;
    this.#call({ op: "listen" });
    this.#listening = true;
  }

  #query(sql: string, params: SqlParam[]): Answer {
    let text = this.#sql.get(sql);
    if (text === undefined) {
      text = numberParams(sql);
      this.#sql.set(sql, text);
    }
    const answer = this.#call({ op: "query", sql: text, params });
    for (const row of answer.rows ?? []) delete row.rowid; // SQLite's SELECT * has none
    return answer;
  }

  /** Posts one request and blocks until its answer; throws its error as a SparkqError. */
  #call(request: Record<string, unknown>, deadlineMs = REQUEST_DEADLINE_MS): Answer {
    if (this.#closed && request.op !== "close") {
      throw new SparkqError(`the connection to ${this.path} is closed`, { code: "internal" });
    }
    Atomics.store(this.#ctrl, 0, 0);
    this.#worker.postMessage(request);
    const until = Date.now() + deadlineMs;
    while (Atomics.wait(this.#ctrl, 0, 0, 1000) === "timed-out") {
      if (Date.now() > until) {
        throw new SparkqError(
          `the PostgreSQL server at ${this.target.netHost} did not answer within ${
            Math.round(deadlineMs / 1000)
          } s`,
          { code: "internal", status: 503 },
        );
      }
    }
    const n = Atomics.load(this.#ctrl, 1);
    const bytes = new Uint8Array(this.#data, 0, n).slice();
    const answer: Answer = JSON.parse(decoder.decode(bytes), revive);
    if (answer.error) throw pgError(this.target, answer.error);
    return answer;
  }
}

const decoder = new TextDecoder();

/** Turns the driver's bytea values (JSON `{type: "Buffer", data}`) back into bytes. */
function revive(_key: string, value: unknown): unknown {
  if (
    value !== null && typeof value === "object" &&
    (value as { type?: unknown }).type === "Buffer" &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    return new Uint8Array((value as { data: number[] }).data);
  }
  return value;
}

/**
 * Rewrites SQLite's parameters (`?`, `?N`) as PostgreSQL's (`$N`), leaving quoted
 * text alone.
 */
export function numberParams(sql: string): string {
  let out = "";
  let next = 1;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop + 1);
      i = stop;
    } else if (c === "?") {
      const m = /^\d+/.exec(sql.slice(i + 1));
      if (m) {
        out += `$${m[0]}`;
        i += m[0].length;
      } else out += `$${next++}`;
    } else out += c;
  }
  return out;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
