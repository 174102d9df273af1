/**
 * `sparkq db copy`: one store's rows copied into another (SQLite to PostgreSQL or back),
 * then checked row for row, all inside one write transaction on the target, so the
 * target ends with a verified copy or exactly as it was.
 *
 * The rules:
 * - The target holds no sessions, streams or tasks: a copy never merges two queues. A
 *   project row alone (what `sparkq setup` writes) is replaced by the source's.
 * - The source is read inside one snapshot: the copy is the queue as it was at one
 *   moment, whatever is written meanwhile (those writes are not in it).
 * - Tables go parents first, each in insertion order, in batches bounded by rows and
 *   bytes; rowids are kept where both stores keep them, so the FIFO order, the order of
 *   listings and page cursors are the same.
 * - Then every column of every row is compared with the source's (the target's rows
 *   read back by ID, the row counts equal), and the target's per-stream counts with its
 *   rows; the first difference is reported and nothing is kept.
 */
import { SparkqError } from "../core/errors.ts";
import type { Db } from "../storage/db.ts";
import {
  actualCounts,
  beginSnapshot,
  bytesPerColumn,
  COPY_TABLES,
  type CopyCursor,
  type CopyRow,
  type CopyTable,
  countRows,
  cursorOf,
  deleteProjects,
  endSnapshot,
  finishTableLoad,
  finishTaskLoad,
  insertRows,
  readBatch,
  readByIds,
  startTaskLoad,
  storedCounts,
  type TableShape,
  tableShape,
} from "../storage/copy.ts";

/** Most rows read or written at once. */
const BATCH_ROWS = 500;
/** Most bytes of text read or written at once (one larger row goes alone). */
const BATCH_BYTES = 8 * 1024 * 1024;

/** Where a copy stands, for a progress line. */
export interface CopyProgress {
  /** Copying rows, or checking the copied rows against the source's. */
  phase: "copy" | "check";
  table: CopyTable;
  done: number;
  total: number;
}

/** Options of `copyStore`. */
export interface CopyOptions {
  /** Called after each batch. */
  onProgress?: (p: CopyProgress) => void;
  /** Batch bounds: most rows, and most bytes of text, read or written at once (500, 8 MiB). */
  batchRows?: number;
  batchBytes?: number;
}

/** What a finished copy reports. */
export interface CopySummary {
  /** Rows copied (and checked) per table. */
  rows: Record<CopyTable, number>;
  /** Project rows the target held before and the copy replaced (from `setup`). */
  replacedProjects: number;
}

/** How each store is named in messages ("the SQLite file …", "the PostgreSQL database …"). */
export interface CopyNames {
  source: string;
  target: string;
  /** What to tell a user whose target holds data. */
  notEmptyHint: string;
}

/**
 * Copies every row of `source` into `target` and checks the copy row for row, in one
 * write transaction on `target`: on any refusal or difference the target is left as it
 * was. Refuses a target that holds sessions, streams or tasks.
 */
export function copyStore(
  source: Db,
  target: Db,
  names: CopyNames,
  options: CopyOptions = {},
): CopySummary {
  const rowsMax = options.batchRows ?? BATCH_ROWS;
  const bytesMax = options.batchBytes ?? BATCH_BYTES;
  const shapes = COPY_TABLES.map((t) => matchShapes(source, target, t, names));
  beginSnapshot(source);
  try {
    const totals = Object.fromEntries(
      COPY_TABLES.map((t) => [t, countRows(source, t)]),
    ) as Record<CopyTable, number>;
    return target.write(() => {
      refuseNonEmpty(target, names);
      const replacedProjects = countRows(target, "projects");
      if (replacedProjects > 0) deleteProjects(target);
      for (const s of shapes) {
        if (s.write.table === "tasks") startTaskLoad(target);
        let done = 0;
        for (const rows of batches(source, s.read, rowsMax, bytesMax)) {
          for (const r of rows) {
            checkRead(source, s.read, r);
            if (target.dialect === "postgres") checkForPostgres(s.read, r);
          }
          insertRows(target, s.write, s.read.rowKey, rows);
          done += rows.length;
          options.onProgress?.({
            phase: "copy",
            table: s.read.table,
            done,
            total: totals[s.read.table],
          });
        }
        if (s.write.table === "tasks") finishTaskLoad(target);
        if (s.read.rowKey) finishTableLoad(target, s.write);
      }
      for (const s of shapes) {
        verifyTable(source, target, s, totals[s.read.table], names, {
          rowsMax,
          bytesMax,
          onProgress: options.onProgress,
        });
      }
      verifyCounts(target, names);
      return { rows: totals, replacedProjects };
    });
  } finally {
    endSnapshot(source);
  }
}

/** A table as read from the source and as written to (and read back from) the target. */
interface Pair {
  read: TableShape;
  write: TableShape;
}

function matchShapes(source: Db, target: Db, table: CopyTable, names: CopyNames): Pair {
  const read = tableShape(source, table);
  const there = tableShape(target, table);
  const missing = read.columns.filter((c) => !there.columns.includes(c));
  const extra = there.columns.filter((c) => !read.columns.includes(c));
  if (read.columns.length === 0 || there.columns.length === 0 || missing.length || extra.length) {
    const what = [
      missing.length ? `${names.target} lacks ${missing.join(", ")}` : "",
      extra.length ? `${names.source} lacks ${extra.join(", ")}` : "",
    ].filter(Boolean).join("; ");
    throw new SparkqError(
      `the two stores' ${table} tables differ${what ? ` (${what})` : ""}: they cannot be copied`,
      { code: "config", hint: "both must be SparkQ stores at this version's schema" },
    );
  }
  // The target's columns, in the source's order; its own row key.
  return { read, write: { table, columns: read.columns, rowKey: there.rowKey } };
}

function* batches(db: Db, shape: TableShape, rowsMax: number, bytesMax: number) {
  let cursor: CopyCursor | undefined;
  for (;;) {
    const rows = readBatch(db, shape, cursor, rowsMax, bytesMax);
    if (rows.length === 0) return;
    yield rows;
    cursor = cursorOf(shape, rows[rows.length - 1]);
  }
}

function refuseNonEmpty(target: Db, names: CopyNames): void {
  const held = (["sessions", "streams", "tasks"] as const)
    .map((t) => [t, countRows(target, t)] as const)
    .filter(([, n]) => n > 0);
  if (held.length === 0) return;
  throw new SparkqError(
    `${names.target} already holds SparkQ data (${
      held.map(([t, n]) => `${n} ${n === 1 ? t.slice(0, -1) : t}`).join(", ")
    }): db copy never merges two queues`,
    { code: "config", hint: names.notEmptyHint },
  );
}

/**
 * Refuses a row whose values, as read, hold fewer bytes than the store counts: SQLite
 * text with a NUL character, which node:sqlite (so every SparkQ command too) returns cut
 * at the NUL. Copying it would silently lose the rest, and PostgreSQL cannot store a NUL.
 */
function checkRead(source: Db, shape: TableShape, row: CopyRow): void {
  let read = 0;
  for (const c of shape.columns) read += textBytes(row[c]);
  if (read === Number(row.row_bytes)) return;
  const held = bytesPerColumn(source, shape, row.id);
  const c = shape.columns.find((c) => (held[c] ?? 0) !== textBytes(row[c])) ?? "a column";
  throw new SparkqError(
    `${shape.table} row ${row.id}: its ${c} holds ${held[c]} bytes but reads back as ${
      textBytes(row[c])
    }: a NUL character (or bytes that are not UTF-8) in it would be lost`,
    {
      code: "invalid",
      hint: "nothing was copied; delete that task (or clear that field) and copy again",
    },
  );
}

/** The bytes of a value as text: UTF-8 for a string, the decimal digits of a number. */
function textBytes(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return String(v).length;
  if (typeof v !== "string") return v instanceof Uint8Array ? v.length : String(v).length;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const code = v.charCodeAt(i);
    if (code < 0x80) n += 1;
    else if (code < 0x800) n += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < v.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** PostgreSQL's text cannot hold NUL characters, nor its columns bytes SQLite may hold. */
function checkForPostgres(shape: TableShape, row: CopyRow): void {
  for (const c of shape.columns) {
    const v = row[c];
    const why = typeof v === "string"
      ? (v.includes("\u0000") ? "a NUL character, which PostgreSQL cannot store in text" : "")
      : v === null || typeof v === "number"
      ? ""
      : "binary data, which PostgreSQL cannot store in text";
    if (why) {
      throw new SparkqError(`${shape.table} row ${row.id}: its ${c} holds ${why}`, {
        code: "invalid",
        hint: "nothing was copied; fix or delete that row in the SQLite file, then copy again",
      });
    }
  }
}

function verifyTable(
  source: Db,
  target: Db,
  s: Pair,
  total: number,
  names: CopyNames,
  o: { rowsMax: number; bytesMax: number; onProgress?: (p: CopyProgress) => void },
): void {
  const table = s.read.table;
  const held = countRows(target, table);
  if (held !== total) {
    throw mismatch(
      `${names.target} holds ${held} ${table} rows after the copy, the source ${total}`,
    );
  }
  const keyed = s.read.rowKey && s.write.rowKey;
  let done = 0;
  for (const rows of batches(source, s.read, o.rowsMax, o.bytesMax)) {
    const copies = new Map(
      readByIds(target, s.write, rows.map((r) => r.id)).map((r) => [r.id, r]),
    );
    for (const r of rows) {
      const copy = copies.get(r.id);
      if (!copy) throw mismatch(`${table} row ${r.id} is missing from ${names.target}`);
      if (keyed && Number(copy.row_key) !== Number(r.row_key)) {
        throw mismatch(
          `${table} row ${r.id} has rowid ${copy.row_key} in ${names.target}, ${r.row_key} in the source`,
        );
      }
      for (const c of s.read.columns) {
        if (!sameValue(r[c], copy[c])) {
          throw mismatch(
            `${table} row ${r.id}, column ${c}: the source holds ${show(r[c])}, ${names.target} ${
              show(copy[c])
            }`,
          );
        }
      }
      if (Number(r.row_bytes) !== Number(copy.row_bytes)) {
        const was = bytesPerColumn(source, s.read, r.id);
        const now = bytesPerColumn(target, s.write, r.id);
        const c = s.read.columns.find((c) => was[c] !== now[c]) ?? "its columns";
        throw mismatch(
          `${table} row ${r.id}, column ${c}: ${was[c]} bytes in the source, ${
            now[c]
          } in ${names.target}`,
        );
      }
    }
    done += rows.length;
    o.onProgress?.({ phase: "check", table, done, total });
  }
}

function verifyCounts(target: Db, names: CopyNames): void {
  const stored = storedCounts(target);
  const actual = actualCounts(target);
  const text = (l: typeof stored) => l.map((r) => `${r.stream_id}/${r.status}=${r.n}`).join(" ");
  if (text(stored) !== text(actual)) {
    throw mismatch(
      `the task counts of ${names.target} (${text(stored)}) differ from its tasks (${
        text(actual)
      })`,
    );
  }
}

function mismatch(what: string): SparkqError {
  return new SparkqError(`the copy does not match its source: ${what}`, {
    code: "internal",
    hint: "nothing was kept: the target is as it was before the copy. Please report this.",
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  return a === b;
}

/** A value for a mismatch message: short text whole, long text by length and start. */
function show(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") {
    return v.length <= 60
      ? JSON.stringify(v)
      : `${v.length} characters starting ${JSON.stringify(v.slice(0, 40))}`;
  }
  if (v instanceof Uint8Array) return `${v.length} bytes of binary data`;
  return `${typeof v} ${String(v)}`;
}
