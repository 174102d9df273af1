/** Checks of user-supplied task content, shared by the CLI and the HTTP API. */
import { invalid, SparkqError } from "../core/errors.ts";
import { MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_OUTPUT_BYTES } from "../core/constants.ts";

/**
 * Parses text that must be a JSON object; `what` names it in the error. The nesting
 * is checked on the text before parsing, so a hostile depth never reaches JSON.parse.
 */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw tooDeep(what);
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

/**
 * The size and nesting limits of payloads and results (SPEC §12.1): at most
 * `MAX_JSON_DEPTH` levels of objects and arrays, and at most `MAX_JSON_BYTES` bytes
 * of compact JSON text. Returns that text (what is stored). Too deep is `invalid`,
 * too big is `too_large`; both say the limit.
 */
export function checkJsonLimits(value: unknown, what: string): string {
  if (valueDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw tooDeep(what);
  const text = JSON.stringify(value);
  const bytes = text.length > MAX_JSON_BYTES / 3 ? encoder.encode(text).length : text.length;
  if (bytes > MAX_JSON_BYTES) {
    throw new SparkqError(
      `${what} is ${mib(bytes)} of JSON (${bytes} bytes); the limit is ${
        mib(MAX_JSON_BYTES)
      } (${MAX_JSON_BYTES} bytes)`,
      {
        code: "too_large",
        hint: "keep big data in a file and put its path in the payload",
      },
    );
  }
  return text;
}

/**
 * Refuses to hand over a stored payload nested beyond the limit (written by an older
 * SparkQ): the claim rolls back and the task stays queued.
 */
export function requireHandover(id: string, payloadText: string): void {
  if (jsonTextDepth(payloadText, MAX_JSON_DEPTH) <= MAX_JSON_DEPTH) return;
  throw invalid(
    `task ${id} cannot be handed over: its payload is nested more than ${MAX_JSON_DEPTH} levels deep (written by an older SparkQ); it stays queued`,
    `the limit is ${MAX_JSON_DEPTH} levels; the tasks queued after it in this stream wait behind it`,
  );
}

/**
 * How deeply `text` nests objects and arrays, counted on the raw JSON text (brackets
 * inside strings are skipped), without parsing. Stops counting past `stopAbove`.
 */
export function jsonTextDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/** How deeply a parsed value nests objects and arrays (iterative; stops past `stopAbove`). */
function valueDepth(value: unknown, stopAbove: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) {
      max = d;
      if (max > stopAbove) return max;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") stack.push([child, d + 1]);
    }
  }
  return max;
}

function tooDeep(what: string): SparkqError {
  return invalid(
    `${what} is nested more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH} levels of objects and arrays`,
    "flatten the structure, or keep it in a file and put its path in the payload",
  );
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 104857.6) / 10} MiB`;
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

/** An output as it is stored, and what the 8 MiB cap did to it. */
export interface CappedOutput {
  /** The text to store (null when no output was given). */
  text: string | null;
  /** Bytes the cap left out (0 when the output was stored whole). */
  cut: number;
}

/**
 * Caps stored output at 8 MiB: longer text keeps its first and its last 4 MiB (cut on
 * character boundaries) around a visible `[… truncated N bytes]` line, N being the
 * bytes left out. Says how much it cut, for the caller's warning.
 */
export function capOutputInfo(text: string | undefined | null): CappedOutput {
  if (text === undefined || text === null) return { text: null, cut: 0 };
  if (text.length <= MAX_OUTPUT_BYTES / 4) return { text, cut: 0 };
  const bytes = encoder.encode(text);
  if (bytes.length <= MAX_OUTPUT_BYTES) return { text, cut: 0 };
  const half = MAX_OUTPUT_BYTES / 2;
  let head = half; // first byte left out
  while (head > 0 && (bytes[head] & 0xc0) === 0x80) head--;
  let tail = bytes.length - half; // first byte kept at the end
  while (tail < bytes.length && (bytes[tail] & 0xc0) === 0x80) tail++;
  const cut = tail - head;
  return {
    text: `${decoder.decode(bytes.subarray(0, head))}\n${truncationMarker(cut)}\n${
      decoder.decode(bytes.subarray(tail))
    }`,
    cut,
  };
}

/** The line that stands for the middle of an output the cap left out. */
export function truncationMarker(cut: number): string {
  return `[… truncated ${cut} bytes]`;
}

/** The stored form of an output (see `capOutputInfo`). */
export function capOutput(text: string | undefined | null): string | null {
  return capOutputInfo(text).text;
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
