/**
 * The interactive pick of `sparkq run` on a terminal: a numbered list of active
 * sessions, then of that session's active streams (with queued counts).
 */
import { c, line } from "../platform/terminal.ts";
import type { EngineContext } from "../engine/context.ts";
import { listSessions } from "../engine/sessions.ts";
import { listStreams } from "../engine/streams.ts";
import type { StreamListItem } from "../core/schemas.ts";

/** Asks for a number from 1 to `count` (Enter = 1); null at end of input or `q`. */
function askNumber(label: string, count: number): number | null {
  for (;;) {
    const answer = prompt(`${label} [1-${count}, Enter = 1, q = none]:`);
    if (answer === null) return null;
    const a = answer.trim();
    if (a === "") return 1;
    if (a === "q") return null;
    const n = Number(a);
    if (Number.isInteger(n) && n >= 1 && n <= count) return n;
    line(`  '${a}' is not a number from 1 to ${count}; try again.`);
  }
}

/** Lets the user pick one active stream; undefined when there is none or they decline. */
export function pickStream(ctx: EngineContext): StreamListItem | undefined {
  const sessions = listSessions(ctx, "active");
  if (sessions.length === 0) {
    line("No active session: no watcher started (create one with 'sparkq session create').");
    return undefined;
  }
  line(c.bold("Active sessions:"));
  sessions.forEach((s, i) => {
    const about = s.description ? ` — ${s.description}` : "";
    line(`  ${i + 1}. ${s.name} (${s.stream_count} streams)${about}`);
  });
  const si = askNumber("Session", sessions.length);
  if (si === null) return undefined;
  const session = sessions[si - 1];
  const streams = listStreams(ctx, { session: session.name, status: "active" });
  if (streams.length === 0) {
    line(`Session '${session.name}' has no active stream: no watcher started.`);
    return undefined;
  }
  line(c.bold(`Active streams of '${session.name}':`));
  streams.forEach((s, i) => line(`  ${i + 1}. ${s.name} (${s.counts.queued} queued)`));
  const ti = askNumber("Stream", streams.length);
  if (ti === null) return undefined;
  const stream = streams[ti - 1];
  line("");
  line(`${c.bold(`Stream '${stream.name}'`)}: ${stream.counts.queued} queued`);
  line(c.bold("Instructions:"));
  line(stream.instructions?.trim() ? stream.instructions : "  (none)");
  line("");
  return stream;
}
