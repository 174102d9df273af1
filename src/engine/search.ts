/**
 * The search index's catching up (SPEC §12.3). Writes only note which tasks changed
 * (storage/schema.ts TASK_TRIGGERS); the index takes them in batches, each one write
 * transaction: before every search, so a search always sees every committed change, and
 * from the server every few seconds, so that search seldom has anything to do.
 */
import { searchBehind, syncSearchIndex } from "../storage/tasks.ts";
import type { EngineContext } from "./context.ts";

/** How many tasks one catching-up transaction indexes. */
export const SEARCH_SYNC_BATCH = 5_000;

/**
 * Indexes the tasks whose search entries are out of date, in batches, up to
 * `maxBatches` of them (default: until none is left); returns how many. Takes no
 * write lock when nothing is out of date.
 */
export function syncSearch(ctx: EngineContext, maxBatches = Infinity): number {
  let total = 0;
  for (let i = 0; i < maxBatches && searchBehind(ctx.db); i++) {
    const n = ctx.db.write(() => syncSearchIndex(ctx.db, SEARCH_SYNC_BATCH));
    total += n;
    if (n < SEARCH_SYNC_BATCH) break;
  }
  return total;
}
