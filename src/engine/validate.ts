/** Checks of user-supplied task content, shared by the CLI and the HTTP API. */
import { invalid } from "../core/errors.ts";
import { MAX_OUTPUT_BYTES } from "../core/constants.ts";

/** Parses text that must be a JSON object; `what` names it in the error. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw invalid(`${what} is not valid JSON (${why}): ${clip(text)}`);
  }
  return requireObject(value, what);
}

/** Returns `value` when it is a JSON object (not an array, not null). */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw invalid(`${what} must be a JSON object, got ${kind}`, `for example: {"key": "value"}`);
  }
  return value as Record<string, unknown>;
}

/** Checks a result: a JSON object with a non-empty string `summary`. */
export function requireResult(value: unknown): Record<string, unknown> {
  const result = requireObject(value, "result");
  const summary = result.summary;
  if (summary === undefined) {
    throw invalid(
      'result has no "summary": say in a sentence what was done',
      `for example: --result '{"summary": "Added JWT middleware; 12 tests pass"}'`,
    );
  }
  if (typeof summary !== "string") {
    throw invalid(`result "summary" must be a string, got ${typeof summary}`);
  }
  if (summary.trim() === "") throw invalid('result "summary" must not be empty');
  return result;
}

/** Checks a failure's error message: a non-empty string. */
export function requireErrorMessage(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw invalid("an error message is required to fail a task (--error MSG)");
  }
  return value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Caps stored output at 8 MiB: longer text is cut on a character boundary and
 * ends with a visible `[… truncated N bytes]` marker.
 */
export function capOutput(text: string | undefined | null): string | null {
  if (text === undefined || text === null) return null;
  if (text.length <= MAX_OUTPUT_BYTES / 4) return text;
  const bytes = encoder.encode(text);
  if (bytes.length <= MAX_OUTPUT_BYTES) return text;
  let cut = MAX_OUTPUT_BYTES - 64;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  const kept = decoder.decode(bytes.subarray(0, cut));
  return `${kept}\n[… truncated ${bytes.length - cut} bytes]`;
}

/** Parses a duration like `3d`, `12h`, `30m`, `1w`, `90s` into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw invalid(
      `invalid duration '${text}'`,
      "use a number and a unit: 90s, 30m, 12h, 3d, 1w",
    );
  }
  const unit =
    { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as "s" | "m" | "h" | "d" | "w"];
  return Number(m[1]) * unit;
}

function clip(text: string): string {
  return text.length > 60 ? JSON.stringify(text.slice(0, 57) + "...") : JSON.stringify(text);
}
