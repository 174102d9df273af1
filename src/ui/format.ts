/** Text helpers for the web UI (pure functions; JSX does the escaping). */
import { duration } from "../core/format.ts";
import type { Task } from "../core/schemas.ts";

/** Cuts text to `n` characters with an ellipsis. */
export function clip(text: string, n: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > n ? flat.slice(0, n - 1) + "…" : flat;
}

/** Pretty JSON. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A result as pretty JSON with `summary` first. */
export function resultFirst(result: Record<string, unknown>): string {
  const { summary, ...rest } = result;
  return pretty(summary === undefined ? rest : { summary, ...rest });
}

/** The one line that says most about a task: its summary, its error, or its payload. */
export function outcome(
  t: Pick<Task, "status" | "result" | "error" | "payload">,
): { text: string; error: boolean } {
  if (t.status === "succeeded" && t.result && typeof t.result.summary === "string") {
    return { text: t.result.summary, error: false };
  }
  if (t.status === "failed" && t.error) return { text: t.error, error: true };
  return { text: JSON.stringify(t.payload), error: false };
}

/** How long a finished task ran, as text; undefined when not finished. */
export function ranFor(t: Pick<Task, "started_at" | "finished_at">): string | undefined {
  if (!t.started_at || !t.finished_at) return undefined;
  return duration((Date.parse(t.finished_at) - Date.parse(t.started_at)) / 1000);
}

/** UTC timestamp as `2026-11-24 08:00:00Z` (what a page shows without its script). */
export function utc(iso: string): string {
  return iso.slice(0, 19).replace("T", " ") + "Z";
}

/** A size in bytes as text. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Seconds as text (`300 s` / `15 min`). */
export function seconds(n: number): string {
  if (n < 120) return `${n} s`;
  if (n % 3600 === 0) return `${n / 3600} h`;
  if (n % 60 === 0) return `${n / 60} min`;
  return `${n} s`;
}

/** A URL with query parameters (empty values left out). */
export function href(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
