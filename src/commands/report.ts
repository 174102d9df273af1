/**
 * `sparkq report [--session S | --stream S] [--since DURATION] [--format md|html|json]
 * [--output FILE]`: a session's record for a person (SPEC §12.3). The engine builds the
 * data once (engine/report.ts); the renderers the web UI uses too (src/ui/report/)
 * write it. Markdown on stdout by default (control characters shown escaped); HTML is
 * one self-contained file. Loads no server code.
 */
import { openProject } from "../cli/context.ts";
import type { Inv } from "../cli/table.ts";
import { resolvePath } from "../config/paths.ts";
import { buildReport } from "../engine/report.ts";
import { printJsonText, write, writeErr } from "../platform/terminal.ts";
import { renderReport } from "../ui/report/mod.ts";

/** Builds the report and prints it, or writes it to --output. */
export async function report(inv: Inv<"report">): Promise<number> {
  const f = inv.flags;
  const format = f.format ?? "md";
  const p = await openProject(inv);
  const data = buildReport(p, { session: f.session, stream: f.stream, sinceMs: f.since?.ms });
  const text = renderReport(data, format);
  if (f.output) {
    const path = resolvePath(inv.cwd, f.output);
    await Deno.writeTextFile(path, text);
    writeErr(`Wrote the ${format} report of ${data.counts.total} tasks to ${path}\n`);
    return 0;
  }
  if (format === "md") write(text);
  else printJsonText(text.replace(/\n$/, "")); // HTML and JSON go out exactly
  return 0;
}
