/** `sparkq session create|list|end`. */
import { openProject } from "../cli/context.ts";
import { shortTime } from "../core/format.ts";
import { c, lifecycleCell, line, printJson, table } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { createSession, endSession, listSessions } from "../engine/sessions.ts";

/** `session create <name> [-d TEXT]`. */
export async function sessionCreate(inv: Inv<"session create">): Promise<number> {
  const p = await openProject(inv);
  const s = createSession(p, { name: inv.args.name, description: inv.flags.description });
  if (inv.flags.json) printJson(s);
  else line(`Created session ${c.bold(s.name)} (${s.id})`);
  return 0;
}

/** `session list [--status active|ended]`. */
export async function sessionList(inv: Inv<"session list">): Promise<number> {
  const status = inv.flags.status;
  const p = await openProject(inv);
  const rows = listSessions(p, status);
  if (inv.flags.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    line(
      status
        ? `No ${status} sessions.`
        : "No sessions yet: create one with 'sparkq session create <name>'.",
    );
    return 0;
  }
  line(table(
    ["NAME", "STATUS", "STREAMS", "STARTED", "ENDED", "DESCRIPTION"],
    rows.map((s) => [
      s.name,
      lifecycleCell(s.status),
      String(s.stream_count),
      shortTime(s.started_at),
      shortTime(s.ended_at),
      s.description ?? "",
    ]),
  ));
  return 0;
}

/** `session end <name>`: ends the session and its streams. */
export async function sessionEnd(inv: Inv<"session end">): Promise<number> {
  const p = await openProject(inv);
  const s = endSession(p, inv.args.name);
  if (inv.flags.json) printJson(s);
  else {
    line(
      `Ended session ${c.bold(s.name)}${
        s.streams_ended ? ` and ${s.streams_ended} stream${s.streams_ended === 1 ? "" : "s"}` : ""
      }`,
    );
    if (s.stranded) {
      const n = s.stranded === 1 ? "1 queued task" : `${s.stranded} queued tasks`;
      line(
        `${c.yellow(`${n} stranded`)} (never claimed now): move each with ` +
          "'sparkq requeue <id> --stream OTHER'",
      );
    }
  }
  return 0;
}
