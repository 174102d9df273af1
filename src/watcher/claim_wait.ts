/**
 * Waiting for a claimable task, event-driven (`sparkq wait`, the MCP server's
 * `sparkq_claim` with `wait_seconds`): look, and when the stream is empty sleep until the
 * database is written (a notice on its WAL file, see db_changes.ts) or a second passes
 * regardless (100 ms where writes cannot be watched). A write transaction is opened
 * only when a task is there; a deleted or replaced database file ends the wait with an
 * error.
 */
import type { TaskDetail } from "../core/schemas.ts";
import type { EngineContext } from "../engine/context.ts";
import { claim, peek } from "../engine/queue.ts";
import { requireStream } from "../engine/streams.ts";
import { changesOf } from "./db_changes.ts";
import { POLL_MS, SAFETY_MS } from "./poll.ts";

const ACTIVE = "its tasks are never claimed";

/** Options of `claimWhenReady`. */
export interface WaitOptions<T> {
  /** Ends the wait early (undefined is returned). */
  signal?: AbortSignal;
  /**
   * Turns the claimed task into what the caller hands over (its printed JSON, say),
   * inside the claim's transaction: a task that cannot be handed over stays queued.
   */
  handover: (task: TaskDetail) => T;
}

/**
 * Claims the stream's next task, waiting up to `timeoutMs` (`Infinity`: no limit) for
 * one to be queued; returns the task and its hand-over. Undefined at the timeout or when
 * `signal` aborts. Refusals (unknown or ended stream, a vanished database) are thrown at
 * once, or as soon as they happen while waiting.
 */
export async function claimWhenReady<T>(
  ctx: EngineContext,
  stream: string,
  timeoutMs: number,
  options: WaitOptions<T>,
): Promise<{ task: TaskDetail; out: T } | undefined> {
  const { signal, handover } = options;
  const deadline = Date.now() + timeoutMs;
  let nudge: (() => void) | undefined;
  const wake = () => nudge?.();
  // Watch before the first look, so a write between the look and the sleep still wakes it.
  const changes = timeoutMs > 0 ? changesOf(ctx.db) : undefined;
  changes?.onChange(wake);
  signal?.addEventListener("abort", wake);
  try {
    for (;;) {
      ctx.db.checkFile();
      requireStream(ctx, stream, { active: ACTIVE });
      if (peek(ctx, stream)) {
        const claimed = claim(ctx, stream, handover);
        if (claimed) return claimed;
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
