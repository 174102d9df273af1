/** Prefixes of SparkQ's IDs, one per table. */
export type IdPrefix = "prj" | "ses" | "str" | "tsk";

/** A new ID: the prefix, `_`, and 12 lowercase hex characters (48 random bits). */
export function newId(prefix: IdPrefix): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `${prefix}_${hex}`;
}

/** The current time as ISO 8601 UTC with a `Z` suffix, e.g. `2026-11-24T08:00:00.000Z`. */
export function nowIso(): string {
  return new Date().toISOString();
}
