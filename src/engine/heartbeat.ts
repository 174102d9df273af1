/**
 * Heartbeats (SPEC §12.1): a worker says "still working" on a running task, with an
 * optional progress note. The stale and auto-fail deadlines then count from the
 * heartbeat (see timing.ts). A task that is not running is refused exactly as
 * `complete` refuses it (reports.ts).
 */
import type { Heartbeat } from "../core/schemas.ts";
import * as store from "../storage/tasks.ts";
import { failDeadTasks } from "./autofail.ts";
import { type EngineContext, nowStamp } from "./context.ts";
import { noSuchTask, notRunning } from "./reports.ts";
import { deadlines } from "./timing.ts";

/** How many progress notes a task keeps; older ones are dropped. */
export const MAX_NOTES = 200;
/** Longest note kept, in bytes; a longer one is cut and marked. */
export const MAX_NOTE_BYTES = 4096;

/** Input of `heartbeat`. */
export interface HeartbeatInput {
  /** A progress note, appended to the task's `notes`. */
  note?: string | null;
}

/**
 * Records a heartbeat of a running task: sets `heartbeat_at`, appends `{at, note}` to
 * its notes when a note is given (at most `MAX_NOTES`, the oldest dropped), and returns
 * the task's new stale and auto-fail deadlines.
 */
export function heartbeat(ctx: EngineContext, id: string, input: HeartbeatInput = {}): Heartbeat {
  failDeadTasks(ctx);
  const note = input.note === undefined || input.note === null ? undefined : capNote(input.note);
  return ctx.db.write(() => {
    const now = nowStamp(ctx);
    const before = store.getTask(ctx.db, id);
    if (!before) throw noSuchTask(id);
    if (before.status !== "running") throw notRunning(before, "heartbeat");
    let notes: string | null = null;
    if (note !== undefined) {
      const list = before.notes === null ? [] : JSON.parse(before.notes) as unknown[];
      list.push({ at: now, note });
      notes = JSON.stringify(list.slice(-MAX_NOTES));
    }
    const row = store.heartbeatRunning(ctx.db, id, now, notes);
    if (!row) throw notRunning(before, "heartbeat");
    const d = deadlines(row)!;
    return { id: row.id, heartbeat_at: now, stale_at: d.stale_at, auto_fail_at: d.auto_fail_at };
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A note cut to `MAX_NOTE_BYTES` (on a character boundary) with a visible mark. */
function capNote(note: string): string {
  if (note.length <= MAX_NOTE_BYTES / 4) return note;
  const bytes = encoder.encode(note);
  if (bytes.length <= MAX_NOTE_BYTES) return note;
  const mark = "… [note cut at 4 KiB]";
  let end = MAX_NOTE_BYTES - encoder.encode(mark).length;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end)) + mark;
}
