/** `sparkq stream create|list|end`. */
import { openProject } from "../cli/context.ts";
import { bool, lifecycleStatus, required, str } from "../cli/flags.ts";
import { c, countCells, lifecycleCell, line, printJson, table } from "../platform/terminal.ts";
import { textOrFile } from "../cli/read_input.ts";
import type { Invocation } from "../cli/spec.ts";
import { createStream, endStream, listStreams } from "../engine/streams.ts";

/** `stream create <name> --session S [-i TEXT|@FILE]`. */
export async function streamCreate(inv: Invocation): Promise<number> {
  const session = required(
    inv,
    "session",
    "usage: sparkq stream create <name> --session S [-i TEXT|@FILE]",
  );
  const instructions = await textOrFile(inv.cwd, str(inv, "instructions"), "instructions");
  const p = await openProject(inv);
  const s = createStream(p, { name: inv.args.name!, session, instructions });
  if (bool(inv, "json")) printJson(s);
  else line(`Created stream ${c.bold(s.name)} in session ${session} (${s.id})`);
  return 0;
}

/** `stream list [--session S] [--status active|ended]`. */
export async function streamList(inv: Invocation): Promise<number> {
  const status = lifecycleStatus(inv);
  const p = await openProject(inv);
  const rows = listStreams(p, { session: str(inv, "session"), status });
  if (bool(inv, "json")) {
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
export async function streamEnd(inv: Invocation): Promise<number> {
  const p = await openProject(inv);
  const s = endStream(p, inv.args.name!);
  if (bool(inv, "json")) printJson(s);
  else line(`Ended stream ${c.bold(s.name)}`);
  return 0;
}

function preview(text: string | null): string {
  if (!text) return "";
  const first = text.split("\n")[0];
  return first.length > 40 ? first.slice(0, 39) + "…" : first;
}
