/** Terminal output: JSON, aligned tables, and colour that honours NO_COLOR and pipes. */

const encoder = new TextEncoder();

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

/** Writes text to stdout as is. */
export function write(text: string): void {
  writeAll(Deno.stdout, text);
}

/** Writes one line to stdout. */
export function line(text = ""): void {
  write(text + "\n");
}

/** Writes text to stderr. */
export function writeErr(text: string): void {
  writeAll(Deno.stderr, text);
}

/** Prints a value as pretty JSON. */
export function printJson(value: unknown): void {
  line(JSON.stringify(value, null, 2));
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
  return (s) => useColor() ? `\x1b[${code}m${s}\x1b[0m` : s;
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

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
function width(s: string): number {
  return s.replace(ANSI, "").length;
}

/** Renders rows as an aligned table with a bold header; cells may carry colour. */
export function table(headers: string[], rows: string[][]): string {
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
