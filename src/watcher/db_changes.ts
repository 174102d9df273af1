/**
 * Early notice of database writes, so waiting is event-driven instead of busy polling.
 * Every commit in WAL mode writes to `<db>-wal`; an inotify watch on that file (via
 * Deno.watchFs) fires on those writes, and reads never fire it. Each burst of writes
 * is reported twice, shortly after it (by then the commit is normally visible) and
 * again a little later (in case the first look came too early). When the file cannot
 * be watched, `live` is false and callers fall back to polling.
 */

import type { ChangeFeed, Db } from "../storage/db.ts";

/**
 * The change notice of a store: PostgreSQL's LISTEN/NOTIFY when it has one, else the
 * WAL watch below.
 */
export function changesOf(db: Db): ChangeFeed {
  return db.listen ? db.listen() : new DbChanges(db.path);
}

/** Delays after a write at which listeners are called, in ms. */
const NOTIFY_AFTER_MS = [5, 60];

/** Notifies listeners soon after the database is written. */
export class DbChanges implements ChangeFeed {
  #watcher: Deno.FsWatcher | undefined;
  #listeners = new Set<() => void>();
  #timers = new Map<number, ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(readonly dbPath: string) {
    this.#arm();
  }

  /** True while the WAL file is being watched. */
  get live(): boolean {
    return this.#watcher !== undefined;
  }

  /** Calls `fn` after each burst of writes; returns a function that unsubscribes. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Watches the WAL again if the watch was lost (e.g. the file was replaced). */
  rearm(): void {
    if (!this.#watcher && !this.#closed) this.#arm();
  }

  /** Stops watching. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#listeners.clear();
    this.#drop();
  }

  #arm(): void {
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(`${this.dbPath}-wal`, { recursive: false });
    } catch {
      return; // no WAL file yet, or no inotify: callers poll
    }
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const e of watcher) {
          if (e.kind === "remove") break;
          if (e.kind === "modify" || e.kind === "create") this.#changed();
        }
      } catch { /* watch failed: fall back to polling */ }
      if (this.#watcher === watcher) this.#drop();
    })();
  }

  #drop(): void {
    const w = this.#watcher;
    this.#watcher = undefined;
    try {
      w?.close();
    } catch { /* closed */ }
  }

  #changed(): void {
    for (const ms of NOTIFY_AFTER_MS) {
      if (this.#timers.has(ms)) continue; // one notification per delay per burst
      this.#timers.set(
        ms,
        setTimeout(() => {
          this.#timers.delete(ms);
          for (const fn of this.#listeners) fn();
        }, ms),
      );
    }
  }
}
