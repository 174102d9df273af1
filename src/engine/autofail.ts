/**
 * The auto-fail rule (SPEC §5, §12.1): a running task past twice its timeout (counted from
 * its start or its last heartbeat, see timing.ts) is failed and marked `auto_failed`.
 * Every command that reads or claims tasks calls `failDeadTasks` first; the server
 * calls it on a timer. When nothing is dead it is one indexed SELECT, no write.
 */
import { failDead, listRunning } from "../storage/tasks.ts";
import { type EngineContext, nowMs, nowStamp } from "./context.ts";
import { autoFailMessage, deadlinesMs, isDead } from "./timing.ts";

/**
 * Fails every dead task in every stream, in one statement; returns their IDs. Each is
 * failed only if it is still running with the start and heartbeat it was read with (a
 * heartbeat or a report that lands in between wins).
 */
export function failDeadTasks(ctx: EngineContext): string[] {
  const now = nowMs(ctx);
  const dead = listRunning(ctx.db).filter((t) => isDead(t, now));
  if (dead.length === 0) return [];
  return ctx.db.write(() =>
    failDead(
      ctx.db,
      dead.map((t) => ({
        id: t.id,
        started_at: t.started_at,
        heartbeat_at: t.heartbeat_at,
        error: autoFailMessage(t.timeout),
      })),
      nowStamp(ctx),
    ), { concurrent: true }); // one statement, each row guarded by what it was read with
}

/**
 * The next moment (ms) a running task turns stale or dead, or Infinity when none will:
 * until then, and while the database is unchanged, every read answers the same.
 */
export function nextTimeChange(ctx: EngineContext): number {
  const now = nowMs(ctx);
  let next = Infinity;
  for (const t of listRunning(ctx.db)) {
    const d = deadlinesMs(t);
    if (!d) continue;
    for (const at of [d.staleAt, d.autoFailAt]) {
      if (at >= now && at < next) next = at;
    }
  }
  return next;
}
