/**
 * A stored task row in its JSON shape (SPEC §7): payload, result, notes and late report
 * parsed, numbers as numbers, `auto_failed` as a boolean. Columns a query left out (the
 * outputs of a listing) stay out; extra columns (byte sizes, stream name) pass through.
 */
import type { Task, TaskRow } from "../core/schemas.ts";

/** The fields `toTask` parses. */
type Parsed = Pick<
  Task,
  "timeout" | "attempts" | "payload" | "result" | "auto_failed" | "notes" | "late_report"
>;

/** Parses a stored row into the JSON shape, keeping its column order. */
export function toTask<R extends Omit<TaskRow, "stdout" | "stderr">>(
  row: R,
): Omit<R, keyof Parsed> & Parsed {
  return {
    ...row,
    timeout: Number(row.timeout),
    attempts: Number(row.attempts),
    payload: JSON.parse(row.payload),
    result: row.result === null ? null : JSON.parse(row.result),
    auto_failed: Number(row.auto_failed) === 1,
    notes: row.notes === null ? [] : JSON.parse(row.notes),
    late_report: row.late_report === null ? null : JSON.parse(row.late_report),
  };
}

/** True when two JSON values are equal, whatever the order of their object keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((v, i) => jsonEqual(v, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length &&
    keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}
