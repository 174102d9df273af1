/**
 * Terminal output: JSON, aligned tables, and colour that honours NO_COLOR and pipes.
 *
 * Every human-readable writer here (`write`, `line`, `writeErr`, `table`) shows
 * control characters and bidi overrides of the text as visible escapes
 * (core/escape.ts), so task or user text can never drive the terminal (SPEC §12.4).
 * SparkQ's own colours travel through the text as a per-process mark that no task
 * text can contain, and become escape sequences only after that pass. JSON output
 * (`printJson`, `printJsonLine`, `printJsonText`) is written exactly.
 */
import { escapeControls } from "../core/escape.ts";

const encoder = new TextEncoder();

/**
 * Stands for "ESC [" of SparkQ's own colour codes until the text is escaped. Made on
 * the first colour painted (a terminal only): piped output, what agents read, never
 * pays for the random ID at start-up. Until then no text can hold a colour.
 */
let mark: string | undefined;
function colourMark(): string {
  return mark ??= `\u{F8FF}${crypto.randomUUID().slice(0, 8)}\u{F8FF}`;
}

/** Human text as the terminal gets it: escapes shown, then SparkQ's colours applied. */
function forTerminal(text: string): string {
  const safe = escapeControls(text);
  return mark !== undefined && safe.includes(mark) ? safe.split(mark).join("\x1b[") : safe;
}

/**
 * Writes all of `text`. A closed pipe is a normal end: when the reader of stdout has
 * gone (`sparkq task … | head`), the process ends at once, quietly, with status 0 (as
 * SIGPIPE would end it, without the noise; `unload` listeners still run); text for a
 * closed stderr is dropped.
 */
function writeAll(file: typeof Deno.stdout | typeof Deno.stderr, text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  try {
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
    if (file === Deno.stdout) Deno.exit(0);
  }
}

/** Writes human-readable text to stdout (control characters shown as escapes). */
export function write(text: string): void {
  writeAll(Deno.stdout, forTerminal(text));
}

/** Writes one human-readable line to stdout. */
export function line(text = ""): void {
  write(text + "\n");
}

/** Writes human-readable text to stderr (control characters shown as escapes). */
export function writeErr(text: string): void {
  writeAll(Deno.stderr, forTerminal(text));
}

/** Prints a value as pretty JSON, exactly. */
export function printJson(value: unknown): void {
  printJsonText(JSON.stringify(value, null, 2));
}

/** Prints a value as one line of compact JSON, exactly. */
export function printJsonLine(value: unknown): void {
  printJsonText(JSON.stringify(value));
}

/** Prints JSON text that is already serialised, exactly, with a newline. */
export function printJsonText(text: string): void {
  writeAll(Deno.stdout, text + "\n");
}

/** Shows `text` as a progress line on stderr (a terminal only), replacing the last one. */
export function progress(text: string): void {
  writeAll(Deno.stderr, "\r" + escapeControls(text));
}

/** Clears the progress line on stderr. */
export function clearProgress(): void {
  writeAll(Deno.stderr, "\r\x1b[K");
}

let colorOn: boolean | undefined;
/** True when stdout is a terminal and NO_COLOR is unset. */
export function useColor(): boolean {
  if (colorOn === undefined) {
    const noColor = Deno.env.get("NO_COLOR");
    colorOn = (noColor === undefined || noColor === "") && Deno.stdout.isTerminal();
  }
  return colorOn;
}

function paint(code: string): (s: string) => string {
  return (s) => {
    if (!useColor()) return s;
    const m = colourMark();
    return `${m}${code}m${s}${m}0m`;
  };
}
/** Colour helpers; plain text when colour is off. */
export const c = {
  bold: paint("1"),
  dim: paint("2"),
  red: paint("31"),
  green: paint("32"),
  yellow: paint("33"),
  blue: paint("34"),
  cyan: paint("36"),
};

let colour: RegExp | undefined;
function width(s: string): number {
  if (mark === undefined) return s.length;
  colour ??= new RegExp(`${mark}[0-9;]*m`, "g");
  return s.replace(colour, "").length;
}

/**
 * The width lines are cut to: the terminal's columns when stdout is a terminal, else
 * `fallback` (undefined: no cut).
 */
export function lineWidth(fallback?: number): number | undefined {
  if (!Deno.stdout.isTerminal()) return fallback;
  try {
    return Deno.consoleSize().columns;
  } catch {
    return fallback;
  }
}

/** The narrowest a cut last column gets, in characters. */
const MIN_LAST_COLUMN = 20;

/**
 * Renders rows as an aligned table with a bold header; cells may carry colour.
 * Cells are escaped first, so the columns line up with what the terminal shows.
 * With `fit`, the last column (plain text, no colour) is cut with `…` so that each line
 * is at most `fit` characters, but never below 20 characters.
 */
export function table(headers: string[], cells: string[][], opts: { fit?: number } = {}): string {
  const rows = cells.map((r) => r.map(escapeControls));
  if (opts.fit !== undefined && headers.length > 1) {
    const last = headers.length - 1;
    const before = headers.slice(0, last).reduce(
      (n, h, i) => n + Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))) + 2,
      0,
    );
    const room = Math.max(MIN_LAST_COLUMN, opts.fit - before);
    for (const r of rows) {
      const cell = r[last] ?? "";
      if ([...cell].length > room) r[last] = [...cell].slice(0, room - 1).join("") + "…";
    }
  }
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const fmt = (cells: string[]) =>
    cells.map((cell, i) =>
      i === cells.length - 1 ? cell : cell + " ".repeat(widths[i] - width(cell))
    ).join("  ").trimEnd();
  return [c.bold(fmt(headers)), ...rows.map(fmt)].join("\n");
}

/** The coloured QUEUED, RUNNING, STALE, SUCCEEDED, FAILED cells of a stream's counts. */
export function countCells(
  n: { queued: number; running: number; stale: number; succeeded: number; failed: number },
): string[] {
  return [
    String(n.queued),
    String(n.running),
    n.stale ? c.yellow(String(n.stale)) : "0",
    String(n.succeeded),
    n.failed ? c.red(String(n.failed)) : "0",
  ];
}

/** A session's or stream's status, green when active. */
export function lifecycleCell(status: string): string {
  return status === "active" ? c.green(status) : c.dim(status);
}
