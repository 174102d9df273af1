/**
 * Bounded output (SPEC §12.1): a task's detail shows at most the last 64 KiB of each
 * output (and of a late report's outputs) and says how many bytes it left out; the full
 * view shows everything. Listings leave outputs out (see storage `listTasks`).
 */
import type { TaskRow } from "../core/schemas.ts";
import type { TaskTailRow } from "../storage/tasks.ts";

/** How much of the end of each output a task's detail shows, in bytes. */
export const OUTPUT_TAIL_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An output as shown, and how many bytes at its start were left out. */
export interface ShownOutput {
  text: string | null;
  omitted: number;
}

/** The last `OUTPUT_TAIL_BYTES` of a text, starting on a character boundary. */
export function tailOf(text: string | null): ShownOutput {
  if (text === null || text.length <= OUTPUT_TAIL_BYTES / 4) return { text, omitted: 0 };
  const bytes = encoder.encode(text);
  if (bytes.length <= OUTPUT_TAIL_BYTES) return { text, omitted: 0 };
  return fromTail(bytes.subarray(bytes.length - OUTPUT_TAIL_BYTES), bytes.length);
}

/** Decodes the raw end of an output of `total` bytes, skipping a partial first character. */
function fromTail(tail: Uint8Array, total: number): ShownOutput {
  let start = 0;
  while (start < tail.length && (tail[start] & 0xc0) === 0x80) start++;
  return { text: decoder.decode(tail.subarray(start)), omitted: total - (tail.length - start) };
}

/** A task row with each output cut to its tail, and the bytes left out of each. */
export type BoundedRow = TaskRow & { stdout_omitted_bytes: number; stderr_omitted_bytes: number };

/** Turns a row read with `getTaskTail` into a task row with its outputs' tails. */
export function boundedRow(r: TaskTailRow): BoundedRow {
  const { stdout_bytes, stderr_bytes, stdout_tail, stderr_tail, ...row } = r;
  const out = (text: string | null, tail: Uint8Array | null, total: number): ShownOutput =>
    tail === null ? { text, omitted: 0 } : fromTail(tail, Number(total));
  const stdout = out(row.stdout, stdout_tail, stdout_bytes);
  const stderr = out(row.stderr, stderr_tail, stderr_bytes);
  return {
    ...row,
    stdout: stdout.text,
    stderr: stderr.text,
    late_report: row.late_report === null ? null : boundedLateReport(row.late_report),
    stdout_omitted_bytes: stdout.omitted,
    stderr_omitted_bytes: stderr.omitted,
  };
}

/** A late report (JSON text) with its outputs cut to their tails, marking the cut. */
function boundedLateReport(text: string): string {
  const report = JSON.parse(text) as Record<string, unknown>;
  let changed = false;
  for (const name of ["stdout", "stderr"] as const) {
    const value = report[name];
    if (typeof value !== "string") continue;
    const shown = tailOf(value);
    if (shown.omitted === 0) continue;
    report[name] = shown.text;
    report[`${name}_omitted_bytes`] = shown.omitted;
    changed = true;
  }
  return changed ? JSON.stringify(report) : text;
}
