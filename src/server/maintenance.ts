/**
 * The server's background upkeep: purge old finished tasks once at start (in steps,
 * yielding between them), fail dead tasks every 5 s, bring the search index up to date
 * every 2 s, checkpoint the WAL every 30 s,
 * reload sparkq.yml when the file changes, and check twice a second that the
 * database file is still the one opened (a deleted or replaced file is logged once;
 * every write is refused from then on).
 */
import { configFingerprint } from "../config/load.ts";
import { failDeadTasks } from "../engine/autofail.ts";
import { purgeStep } from "../engine/queue.ts";
import { syncSearch } from "../engine/search.ts";
import { checkpoint } from "../storage/maintenance.ts";
import type { ServerContext } from "./context.ts";

/** How often dead tasks are failed (SPEC §5: at least every 10 s). */
export const AUTOFAIL_EVERY_MS = 5_000;
/** How often the WAL is checkpointed. */
export const CHECKPOINT_EVERY_MS = 30_000;
/** How often sparkq.yml is checked for edits. */
export const CONFIG_CHECK_EVERY_MS = 2_000;
/** How often the search index catches up with changed tasks (engine/search.ts). */
export const SEARCH_EVERY_MS = 2_000;
/** How often the database file is checked for deletion or replacement. */
export const DB_FILE_CHECK_EVERY_MS = 500;

/** Starts the upkeep; returns a function that stops it. */
export function startMaintenance(s: ServerContext, log: (msg: string) => void): () => void {
  let stopped = false;
  const timers: ReturnType<typeof setInterval>[] = [];
  const guard = (what: string, fn: () => void) => () => {
    if (stopped || s.project.db.lost) return;
    try {
      fn();
    } catch (e) {
      log(`${what} failed: ${e instanceof Error ? e.message : e}`);
    }
  };

  // Purge in the background: one short write per batch, yielding to requests between.
  const days = s.project.config.purge.older_than_days;
  setTimeout(async () => {
    let total = 0;
    try {
      for (;;) {
        if (stopped) return;
        const n = purgeStep(s.project, days * 86_400_000);
        total += n;
        if (n === 0) break;
        await new Promise((r) => setTimeout(r, 0));
      }
      if (total > 0) {
        log(`purged ${total} finished task${total === 1 ? "" : "s"} older than ${days} days`);
        s.feed.poke();
      }
    } catch (e) {
      log(`purge failed: ${e instanceof Error ? e.message : e}`);
    }
  }, 0);

  timers.push(setInterval(
    guard("auto-fail", () => {
      const failed = failDeadTasks(s.project);
      if (failed.length > 0) {
        log(
          `auto-failed ${failed.length} task${failed.length === 1 ? "" : "s"}: ${
            failed.join(", ")
          }`,
        );
        s.feed.poke();
      }
    }),
    AUTOFAIL_EVERY_MS,
  ));
  timers.push(
    setInterval(guard("WAL checkpoint", () => checkpoint(s.project.db)), CHECKPOINT_EVERY_MS),
  );
  // One batch at a time, so the write lock stays short; a search catches up the rest.
  timers.push(setInterval(guard("search index", () => syncSearch(s.project, 1)), SEARCH_EVERY_MS));
  let lostLogged = false;
  timers.push(setInterval(() => {
    if (stopped || lostLogged) return;
    try {
      s.project.db.checkFile();
    } catch (e) {
      lostLogged = true;
      log(`${e instanceof Error ? e.message : e}`);
      s.feed.poke();
    }
  }, DB_FILE_CHECK_EVERY_MS));

  let seen = configKey(s.project.loaded.path);
  let reloading = false;
  timers.push(setInterval(() => {
    if (stopped || reloading) return;
    const key = configKey(s.project.loaded.path);
    if (key === seen) return;
    seen = key;
    reloading = true;
    s.reload()
      .then((r) =>
        log(`sparkq.yml changed: reloaded (${r.tools.length} tools, ${r.scripts} scripts)`)
      )
      .catch((e) =>
        log(`sparkq.yml changed but was not reloaded: ${e instanceof Error ? e.message : e}`)
      )
      .finally(() => reloading = false);
  }, CONFIG_CHECK_EVERY_MS));

  return () => {
    stopped = true;
    for (const t of timers) clearInterval(t);
  };
}

function configKey(path: string): string {
  return configFingerprint(path) ?? "missing";
}
