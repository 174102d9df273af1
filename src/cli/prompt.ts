/**
 * Line prompts for interactive setup, on Deno's built-in `prompt()` (no dependency).
 * Enter accepts the default shown in brackets; end of input (Ctrl-D) cancels.
 */
import { SparkqError } from "../errors.ts";

function cancelled(): never {
  throw new SparkqError("setup cancelled: nothing was changed");
}

/** Asks for text; returns the default on Enter. */
export function askText(label: string, fallback: string): string {
  const answer = prompt(`${label}${fallback ? ` [${fallback}]` : ""}:`);
  if (answer === null) cancelled();
  return answer.trim() === "" ? fallback : answer.trim();
}

/** Asks for a whole number in [min, max]; asks again on a bad answer. */
export function askInt(
  label: string,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  for (;;) {
    const raw = askText(label, String(fallback));
    const n = Number(raw);
    if (/^\d+$/.test(raw) && n >= min && n <= max) return n;
    console.log(`  '${raw}' is not a whole number from ${min} to ${max}; try again.`);
  }
}

/** Asks for a comma-separated list; Enter keeps the default list, '-' empties it. */
export function askList(label: string, fallback: string[]): string[] {
  const raw = askText(`${label} (comma-separated, '-' for none)`, fallback.join(", "));
  if (raw === "-") return [];
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
