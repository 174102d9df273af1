/**
 * Connection upkeep a long-running process (the server) needs: keeping the WAL
 * bounded, and a cheap marker that changes whenever any connection commits.
 */
import { type Db, isSqlite } from "./db.ts";

/** Caps the size the WAL file is truncated back to after a checkpoint (per connection). */
export function limitJournal(db: Db, bytes: number): void {
  if (isSqlite(db)) {
    db.raw.exec(`PRAGMA journal_size_limit=${Math.max(0, Math.floor(bytes))}`);
  }
}

/** Sets this connection's page cache size (a long-lived server reads the same pages often). */
export function setCacheSize(db: Db, mebibytes: number): void {
  if (isSqlite(db)) {
    db.raw.exec(`PRAGMA cache_size=-${Math.max(1, Math.floor(mebibytes * 1024))}`);
  }
}

/** What a passive checkpoint reported: WAL frames in the log and frames copied back. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** Copies what it can of the WAL into the database without blocking other connections. */
export function checkpoint(db: Db): CheckpointResult {
  if (!isSqlite(db)) return { busy: 0, log: 0, checkpointed: 0 };
  const r = db.get<CheckpointResult>("PRAGMA wal_checkpoint(PASSIVE)");
  return {
    busy: Number(r?.busy ?? 0),
    log: Number(r?.log ?? 0),
    checkpointed: Number(r?.checkpointed ?? 0),
  };
}

/**
 * A marker that changes whenever the database changes, whichever connection (or, with
 * PostgreSQL, machine) committed: see `Db.changeMarker`.
 */
export function changeMarker(db: Db): string {
  return db.changeMarker();
}

/** Turns foreign-key enforcement on or off for this connection (outside a transaction). */
export function setForeignKeys(db: Db, on: boolean): void {
  if (isSqlite(db)) db.raw.exec(`PRAGMA foreign_keys=${on ? "ON" : "OFF"}`);
}
