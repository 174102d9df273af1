/** `sparkq stream create|list|end`. */
import { openProject } from "../cli/context.ts";
import { c, countCells, lifecycleCell, line, printJson, table } from "../platform/terminal.ts";
import { textOrFile } from "../cli/read_input.ts";
import type { Inv } from "../cli/table.ts";
import { createStream, endStream, listStreams } from "../engine/streams.ts";

/** `stream create <name> --session S [-i TEXT|@FILE]`. */
export async function streamCreate(inv: Inv<"stream create">): Promise<number> {
  const session = inv.flags.session;
  const instructions = await textOrFile(inv.cwd, inv.flags.instructions, "instructions");
  const p = await openProject(inv);
  const s = createStream(p, { name: inv.args.name, session, instructions });
  if (inv.flags.json) printJson(s);
  else line(`Created stream ${c.bold(s.name)} in session ${session} (${s.id})`);
  return 0;
}

/** `stream list [--session S] [--status active|ended]`. */
export async function streamList(inv: Inv<"stream list">): Promise<number> {
  const status = inv.flags.status;
  const p = await openProject(inv);
  const rows = listStreams(p, { session: inv.flags.session, status });
  if (inv.flags.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    line("No streams: create one with 'sparkq stream create <name> --session S'.");
    return 0;
  }
  line(table(
    [
      "NAME",
      "SESSION",
      "STATUS",
      "QUEUED",
      "RUNNING",
      "STALE",
      "SUCCEEDED",
      "FAILED",
      "INSTRUCTIONS",
    ],
    rows.map((s) => [
      s.name,
      s.session_name,
      lifecycleCell(s.status),
      ...countCells(s.counts),
      preview(s.instructions),
    ]),
  ));
  return 0;
}

/** `stream end <name>`. */
export async function streamEnd(inv: Inv<"stream end">): Promise<number> {
  const p = await openProject(inv);
  const s = endStream(p, inv.args.name);
  if (inv.flags.json) printJson(s);
  else if (s.stranded === 0) line(`Ended stream ${c.bold(s.name)}`);
  else {
    const n = s.stranded === 1 ? "1 queued task" : `${s.stranded} queued tasks`;
    line(`Ended stream ${c.bold(s.name)}: ${c.yellow(`${n} stranded`)} (never claimed now)`);
    line(
      `Move ${s.stranded === 1 ? "it" : "each"} with 'sparkq requeue <id> --stream OTHER' ` +
        `(list them: sparkq tasks --stream ${s.name} --status queued)`,
    );
  }
  return 0;
}

function preview(text: string | null): string {
  if (!text) return "";
  const first = text.split("\n")[0];
  return first.length > 40 ? first.slice(0, 39) + "…" : first;
}
