/** Plain-text formatting of times and durations, shared by the CLI and the web UI. */

/** Shortens a timestamp for tables: `2026-11-24 08:00:00`. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "-";
}

/** A duration in seconds as `850ms`, `12.3s`, `4m05s` or `2h03m`. */
export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const s = Math.floor(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
