/**
 * `sparkq follow [--stream S | --session S] [--json]`: a live feed of the queue, one line
 * per event (enqueued, claimed, note, succeeded with its summary, failed with its error,
 * auto-failed), starting with the last 10 (SPEC §12.3). Needs no server: it looks again
 * as soon as the database is written (the WAL notice `wait` uses, watcher/db_changes.ts)
 * and once a second regardless, so auto-fails show up too. Ctrl-C (SIGINT) or SIGTERM
 * ends it with exit 0. `--json` prints each event as one JSON object per line.
 */
import { openProject } from "../cli/context.ts";
import type { Inv } from "../cli/table.ts";
import { shortTime } from "../core/format.ts";
import { Feed, type FeedEvent } from "../engine/feed.ts";
import { c, line, printJsonLine } from "../platform/terminal.ts";
import { changesOf } from "../watcher/db_changes.ts";
import { POLL_MS, SAFETY_MS } from "../watcher/poll.ts";

/** How many past events `follow` starts with. */
export const FOLLOW_BACKLOG = 10;

const PAINT: Record<FeedEvent["event"], (s: string) => string> = {
  enqueued: c.blue,
  claimed: c.cyan,
  note: c.dim,
  succeeded: c.green,
  failed: c.red,
  "auto-failed": c.red,
};

/** One event as a line: time, event, task, stream, tool and what it said (one line). */
export function eventLine(e: FeedEvent): string {
  const said = e.summary ?? e.error ?? e.note ??
    (e.requeued_from ? `requeued from ${e.requeued_from}` : "");
  const text = said.replace(/\s*\n\s*/g, " ⏎ ");
  return [
    c.dim(shortTime(e.at)),
    PAINT[e.event](e.event.padEnd(11)),
    e.id,
    `${e.stream}/${e.tool}`,
    text,
  ].join("  ").trimEnd();
}

/** Prints the last events, then every new one until interrupted. */
export async function follow(inv: Inv<"follow">): Promise<number> {
  const p = await openProject(inv);
  const feed = new Feed(p, { stream: inv.flags.stream, session: inv.flags.session });
  const print = inv.flags.json ? printJsonLine : (e: FeedEvent) => line(eventLine(e));
  for (const e of feed.latest(FOLLOW_BACKLOG)) print(e);
  let stopped = false;
  let nudge: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    nudge?.();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  const changes = changesOf(p.db);
  changes.onChange(() => nudge?.());
  try {
    while (!stopped) {
      p.db.checkFile(); // a deleted or replaced database ends the feed with an error
      for (const e of feed.next()) print(e);
      changes.rearm();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        nudge = resolve;
        if (stopped) resolve();
        timer = setTimeout(resolve, changes.live ? SAFETY_MS : POLL_MS);
      });
      clearTimeout(timer);
      nudge = undefined;
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
    changes.close();
  }
  return 0;
}
