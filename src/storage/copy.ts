/**
 * The statements of `sparkq db copy` (engine/db_copy.ts): reading a store's four tables
 * in batches, in their insertion order, inside one snapshot; writing them into another
 * store of either dialect; reading rows back by ID to check them; and the bulk-load steps
 * around them (the derived tables refilled at once, PostgreSQL's rowid sequences moved
 * past the copied rows).
 *
 * Every table is read in its insertion order: SQLite's rowid, which PostgreSQL's tasks,
 * sessions and streams keep as an identity column (`row_key` below: `PgDb` drops a
 * column named `rowid`). Where both stores keep it, the copy writes it as it is, so FIFO
 * ties, page cursors and the order of listings are the same on both sides. A PostgreSQL
 * table without one (projects) is read by creation time, then ID.
 */
import { type Db, isSqlite, type Row, type SqlParam } from "./db.ts";
import { DROP_TASK_TRIGGERS, REFILL_TASK_DERIVED, TASK_TRIGGERS } from "./schema.ts";

/** The tables a copy carries, parents before children. */
export const COPY_TABLES = ["projects", "sessions", "streams", "tasks"] as const;
/** One of them. */
export type CopyTable = typeof COPY_TABLES[number];

/** How a store holds one table: its columns and whether it keeps a row key (rowid). */
export interface TableShape {
  table: CopyTable;
  /** The columns, in the store's order (PostgreSQL's `rowid` column not among them). */
  columns: string[];
  /** True when rows carry a rowid the copy keeps (SQLite always; PostgreSQL's tasks). */
  rowKey: boolean;
}

/** A place in a table's insertion order: after this row. */
export type CopyCursor = { row_key: number } | { created_at: string; id: string };

/**
 * A row as read for a copy: its columns, `row_key` when the store keeps one, and
 * `row_bytes`, the bytes its columns hold as the store counts them (text after a NUL
 * character, which node:sqlite does not return, included).
 */
export type CopyRow = Row & { id: string; row_key?: number; row_bytes: number };

/** The shape of `table` in `db`. */
export function tableShape(db: Db, table: CopyTable): TableShape {
  const names = isSqlite(db)
    ? db.all<{ name: string }>("SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
    : db.all<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
      table,
    );
  const all = names.map((r) => String(r.name));
  const columns = isSqlite(db) ? all : all.filter((c) => c !== "rowid");
  return { table, columns, rowKey: isSqlite(db) || all.includes("rowid") };
}

/** How many rows `table` holds. */
export function countRows(db: Db, table: CopyTable): number {
  return Number(db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)!.n);
}

/**
 * Starts a read-only snapshot on `db`: every read until `endSnapshot` sees the store as
 * it was at the first read, whatever other connections commit meanwhile.
 */
export function beginSnapshot(db: Db): void {
  db.exec(isSqlite(db) ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

/** Ends the snapshot of `beginSnapshot`. */
export function endSnapshot(db: Db): void {
  try {
    db.exec("COMMIT");
  } catch { /* nothing was written: the snapshot ends with the connection */ }
}

function orderOf(shape: TableShape): string {
  return shape.rowKey ? "rowid" : "created_at, id";
}

function selectList(db: Db, shape: TableShape): string {
  const key = shape.rowKey ? ["rowid AS row_key"] : [];
  return [...key, ...shape.columns, `${rowBytes(db, shape)} AS row_bytes`].join(", ");
}

/** The bytes of one column as text (numbers as their decimal text, NULL as NULL). */
function columnBytes(db: Db, column: string): string {
  return `octet_length(${column}${isSqlite(db) ? "" : "::text"})`;
}

function rowBytes(db: Db, shape: TableShape): string {
  return shape.columns.map((c) => `COALESCE(${columnBytes(db, c)}, 0)`).join(" + ");
}

/** The bytes each column of one row holds, as `row_bytes` counts them. */
export function bytesPerColumn(
  db: Db,
  shape: TableShape,
  id: string,
): Record<string, number | null> {
  const r = db.get<Row>(
    `SELECT ${
      shape.columns.map((c, i) => `${columnBytes(db, c)} AS b${i}`).join(", ")
    } FROM ${shape.table} WHERE id = ?`,
    id,
  ) ?? {};
  const at = (i: number) =>
    r[`b${i}`] === null || r[`b${i}`] === undefined ? null : Number(r[`b${i}`]);
  return Object.fromEntries(shape.columns.map((c, i) => [c, at(i)]));
}

function after(cursor: CopyCursor | undefined): [string, SqlParam[]] {
  if (cursor === undefined) return ["", []];
  if ("row_key" in cursor) return ["rowid > ?", [cursor.row_key]];
  return ["(created_at, id) > (?, ?)", [cursor.created_at, cursor.id]];
}

function upTo(cursor: CopyCursor): [string, SqlParam[]] {
  if ("row_key" in cursor) return ["rowid <= ?", [cursor.row_key]];
  return ["(created_at, id) <= (?, ?)", [cursor.created_at, cursor.id]];
}

/** The cursor of a row read from a table of this shape. */
export function cursorOf(shape: TableShape, row: Row): CopyCursor {
  return shape.rowKey
    ? { row_key: Number(row.row_key) }
    : { created_at: String(row.created_at), id: String(row.id) };
}

/**
 * The next rows of `table` after `cursor`, in insertion order: at most `maxRows`, and
 * no more than fit in `maxBytes` of text (always at least one row, however large). The
 * sizes are read first, so a batch of 8 MiB outputs is never read at once.
 */
export function readBatch(
  db: Db,
  shape: TableShape,
  cursor: CopyCursor | undefined,
  maxRows: number,
  maxBytes: number,
): CopyRow[] {
  const [cond, params] = after(cursor);
  const where = cond ? `WHERE ${cond}` : "";
  const bytes = rowBytes(db, shape);
  const keys = shape.rowKey ? "rowid AS row_key" : "created_at, id";
  const sizes = db.all<Row & { bytes: number }>(
    `SELECT ${keys}, ${bytes} AS bytes FROM ${shape.table} ${where}
     ORDER BY ${orderOf(shape)} LIMIT ?`,
    ...params,
    maxRows,
  );
  if (sizes.length === 0) return [];
  let take = 0;
  for (let total = 0; take < sizes.length; take++) {
    total += Number(sizes[take].bytes);
    if (take > 0 && total > maxBytes) break;
  }
  const [last, lastParams] = upTo(cursorOf(shape, sizes[take - 1]));
  return db.all<CopyRow>(
    `SELECT ${selectList(db, shape)} FROM ${shape.table}
     WHERE ${cond ? `${cond} AND ` : ""}${last} ORDER BY ${orderOf(shape)}`,
    ...params,
    ...lastParams,
  );
}

/** The rows of `table` with these IDs (any order), as `readBatch` reads them. */
export function readByIds(db: Db, shape: TableShape, ids: string[]): CopyRow[] {
  const list = isSqlite(db)
    ? "SELECT value FROM json_each(?)"
    : "SELECT json_array_elements_text(?::text::json)";
  return db.all<CopyRow>(
    `SELECT ${selectList(db, shape)} FROM ${shape.table} WHERE id IN (${list})`,
    JSON.stringify(ids),
  );
}

/**
 * Writes rows read by `readBatch` into `table` of `db`, with their row keys when both
 * the rows carry one (`keyed`) and the target keeps one. Call inside a write transaction.
 * PostgreSQL takes the batch as one statement over a JSON array (the same statement
 * whatever its length); SQLite a prepared statement per row.
 */
export function insertRows(db: Db, shape: TableShape, keyed: boolean, rows: CopyRow[]): void {
  if (rows.length === 0) return;
  const withKey = keyed && shape.rowKey;
  if (isSqlite(db)) {
    const cols = withKey ? ["rowid", ...shape.columns] : shape.columns;
    const sql = `INSERT INTO ${shape.table} (${cols.join(", ")}) VALUES (${
      cols.map(() => "?").join(", ")
    })`;
    for (const r of rows) {
      db.run(sql, ...(withKey ? [r.row_key!] : []), ...shape.columns.map((c) => r[c]));
    }
    return;
  }
  const cols = withKey ? ["rowid", ...shape.columns] : shape.columns;
  const records = rows.map((r) => {
    const o: Record<string, unknown> = withKey ? { rowid: r.row_key } : {};
    for (const c of shape.columns) o[c] = r[c];
    return o;
  });
  db.run(
    `INSERT INTO ${shape.table} (${cols.join(", ")}) ${withKey ? "OVERRIDING SYSTEM VALUE" : ""}
     SELECT ${cols.join(", ")} FROM json_populate_recordset(NULL::${shape.table}, ?::text::json)`,
    JSON.stringify(records),
  );
}

/**
 * Gets an empty store's `tasks` ready for a bulk load: the row triggers that keep the
 * counts (and on SQLite the search index) are turned off; `finishTaskLoad` refills what
 * they keep at once and turns them on again. On PostgreSQL the counts trigger updates
 * one row per stream and state for every task, and a row updated many times in one
 * transaction costs more each time (100,000 tasks: minutes instead of seconds). Call
 * inside the load's write transaction (a failure rolls all of it back).
 */
export function startTaskLoad(db: Db): void {
  if (isSqlite(db)) {
    db.exec(DROP_TASK_TRIGGERS);
    return;
  }
  for (const name of countTriggers(db, "O")) {
    db.exec(`ALTER TABLE tasks DISABLE TRIGGER ${quoteName(name)}`);
  }
}

/**
 * Ends a bulk load of `tasks`: the counts (and on SQLite the search index) are rebuilt
 * from the rows and the triggers turned on again (PostgreSQL's search index kept up row
 * by row).
 */
export function finishTaskLoad(db: Db): void {
  if (isSqlite(db)) {
    db.exec(REFILL_TASK_DERIVED + TASK_TRIGGERS);
    return;
  }
  db.run("DELETE FROM task_counts");
  db.run(
    `INSERT INTO task_counts (stream_id, status, n)
     SELECT stream_id, status, COUNT(*) FROM tasks GROUP BY stream_id, status`,
  );
  for (const name of countTriggers(db, "D")) {
    db.exec(`ALTER TABLE tasks ENABLE TRIGGER ${quoteName(name)}`);
  }
}

/**
 * Ends the load of a table whose rows were written with their rowids: on PostgreSQL the
 * rowid's identity sequence is moved past the highest one, so the next row inserted
 * (a session created, a task queued) sorts after every copied one. SQLite needs nothing.
 */
export function finishTableLoad(db: Db, shape: TableShape): void {
  if (isSqlite(db) || !shape.rowKey) return;
  db.get(
    `SELECT setval(pg_get_serial_sequence('${shape.table}', 'rowid'),
                   (SELECT COALESCE(MAX(rowid), 0) FROM ${shape.table}) + 1, false) AS v`,
  );
}

/** PostgreSQL: the triggers on `tasks` that keep `task_counts`, enabled (O) or disabled (D). */
function countTriggers(db: Db, state: "O" | "D"): string[] {
  return db.all<{ name: string }>(
    `SELECT tgname AS name FROM pg_trigger
     WHERE tgrelid = 'tasks'::regclass AND NOT tgisinternal
       AND tgfoid IN ('sparkq_counts_insert'::regproc, 'sparkq_counts_delete'::regproc,
                      'sparkq_counts_update'::regproc)
       AND tgenabled = ?`,
    state,
  ).map((r) => String(r.name));
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Deletes every project row (a target's own, from `setup`, before the copy's). */
export function deleteProjects(db: Db): void {
  db.run("DELETE FROM projects");
}

/** A stream's count of tasks in one state. */
export interface StateCount {
  stream_id: string;
  status: string;
  n: number;
}

/** The per-stream counts as `task_counts` holds them (zeros left out), sorted. */
export function storedCounts(db: Db): StateCount[] {
  return sortCounts(
    db.all<StateCount>("SELECT stream_id, status, n FROM task_counts WHERE n <> 0"),
  );
}

/** The per-stream counts as the task rows give them, sorted. */
export function actualCounts(db: Db): StateCount[] {
  return sortCounts(
    db.all<StateCount>(
      "SELECT stream_id, status, COUNT(*) AS n FROM tasks GROUP BY stream_id, status",
    ),
  );
}

function sortCounts(rows: StateCount[]): StateCount[] {
  const key = (r: StateCount) => `${r.stream_id}\u0000${r.status}`;
  return rows.map((r) => ({
    stream_id: String(r.stream_id),
    status: String(r.status),
    n: Number(r.n),
  }))
    .sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
