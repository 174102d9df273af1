/**
 * Line prompts for interactive setup, with no dependency. Answers are read a byte at
 * a time in the terminal's canonical mode, so the terminal does the line editing and
 * nothing typed or pasted ahead is lost (Deno's `prompt()` line editor reads ahead).
 * Enter accepts the default shown in brackets; end of input (Ctrl-D) cancels.
 */
import { SparkqError } from "../core/errors.ts";
import { write } from "../platform/terminal.ts";

const decoder = new TextDecoder();

/** Reads one line from stdin without reading past it; null at end of input. */
function readLine(): string | null {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    const n = Deno.stdin.readSync(one);
    if (n === null || n === 0) return bytes.length ? decoder.decode(new Uint8Array(bytes)) : null;
    if (one[0] === 0x0a) return decoder.decode(new Uint8Array(bytes)).replace(/\r$/, "");
    bytes.push(one[0]);
  }
}

function cancelled(): never {
  throw new SparkqError("setup cancelled: nothing was changed", { code: "usage", exitCode: 1 });
}

/** Asks for text; returns the default on Enter. */
export function askText(label: string, fallback: string): string {
  write(`${label}${fallback ? ` [${fallback}]` : ""}: `);
  const answer = readLine();
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
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    write(`  '${raw}' is not a whole number ${range}; try again.\n`);
  }
}

/** Asks for a comma-separated list; Enter keeps the default list, '-' empties it. */
export function askList(label: string, fallback: string[]): string[] {
  const raw = askText(`${label} (comma-separated, '-' for none)`, fallback.join(", "));
  if (raw === "-") return [];
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
