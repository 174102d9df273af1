/**
 * `sparkq wait <stream>` (or `--stream S`) `[--timeout SECONDS]`: blocks until the stream has a
 * claimable task, claims it and prints it exactly as `claim` does; prints nothing and
 * exits 0 at the timeout. It looks again as soon as the database is written (a notice
 * on its WAL file, see watcher/db_changes.ts) and once a second regardless, or every
 * 100 ms where writes cannot be watched; a write transaction is opened only when a
 * task is there.
 */
import { openProject } from "../cli/context.ts";
import { printJsonText } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { claim, peek } from "../engine/queue.ts";
import { requireStream } from "../engine/streams.ts";
import { DbChanges } from "../watcher/db_changes.ts";
import { POLL_MS, SAFETY_MS } from "../watcher/poll.ts";

const ACTIVE = "its tasks are never claimed";

/** Waits for, claims and prints the stream's next task. */
export async function wait(inv: Inv<"wait">): Promise<number> {
  const { stream, timeout } = inv.flags; // the parser takes positive whole numbers only
  const p = await openProject(inv);
  const deadline = timeout === undefined ? Infinity : Date.now() + timeout * 1000;
  const changes = new DbChanges(p.db.path);
  let nudge: (() => void) | undefined;
  changes.onChange(() => nudge?.());
  try {
    for (;;) {
      p.db.checkFile(); // a deleted or replaced database ends the wait with an error
      requireStream(p, stream, { active: ACTIVE });
      if (peek(p, stream)) {
        // Serialised inside the claim: a task that cannot be printed stays queued.
        const claimed = claim(p, stream, (t) => JSON.stringify(t, null, 2));
        if (claimed) {
          printJsonText(claimed.out);
          return 0;
        }
        continue; // another worker took it first: look again at once
      }
      const left = deadline - Date.now();
      if (left <= 0) return 0;
      changes.rearm();
      const pause = Math.min(changes.live ? SAFETY_MS : POLL_MS, left);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        nudge = resolve;
        timer = setTimeout(resolve, pause);
      });
      clearTimeout(timer);
      nudge = undefined;
    }
  } finally {
    changes.close();
  }
}
