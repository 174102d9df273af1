/**
 * Waiting for a claimable task, event-driven: look, and when the stream is empty sleep
 * until the database is written (a notice on its WAL file, see db_changes.ts) or a
 * second passes regardless (100 ms where writes cannot be watched). A write
 * transaction is opened only when a task is there. Used by the MCP server's
 * `sparkq_claim` with `wait_seconds`.
 */
import type { TaskDetail } from "../core/schemas.ts";
import type { EngineContext } from "../engine/context.ts";
import { claim, peek } from "../engine/queue.ts";
import { requireStream } from "../engine/streams.ts";
import { DbChanges } from "./db_changes.ts";
import { POLL_MS, SAFETY_MS } from "./poll.ts";

const ACTIVE = "its tasks are never claimed";

/**
 * Claims the stream's next task, waiting up to `timeoutMs` for one to be queued.
 * Undefined at the timeout or when `signal` aborts; refusals (unknown or ended
 * stream) are thrown at once, or as soon as the stream ends while waiting.
 */
export async function claimWhenReady(
  ctx: EngineContext,
  stream: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TaskDetail | undefined> {
  const deadline = Date.now() + timeoutMs;
  let nudge: (() => void) | undefined;
  const wake = () => nudge?.();
  // Watch before the first look, so a write between the look and the sleep still wakes it.
  const changes = timeoutMs > 0 ? new DbChanges(ctx.db.path) : undefined;
  changes?.onChange(wake);
  signal?.addEventListener("abort", wake);
  try {
    for (;;) {
      requireStream(ctx, stream, { active: ACTIVE });
      if (peek(ctx, stream)) {
        const task = claim(ctx, stream);
        if (task) return task;
        continue; // another worker took it first: look again at once
      }
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted || !changes) return undefined;
      changes.rearm();
      const pause = Math.min(changes.live ? SAFETY_MS : POLL_MS, left);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        nudge = resolve;
        timer = setTimeout(resolve, pause);
      });
      clearTimeout(timer);
      nudge = undefined;
    }
  } finally {
    signal?.removeEventListener("abort", wake);
    changes?.close();
  }
}
