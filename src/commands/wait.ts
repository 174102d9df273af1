/**
 * `sparkq wait <stream>` (or `--stream S`) `[--timeout SECONDS]`: blocks until the stream has a
 * claimable task, claims it and prints it exactly as `claim` does; prints nothing and
 * exits 0 at the timeout. It looks again as soon as the database is written (a notice
 * on its WAL file, see watcher/db_changes.ts) and once a second regardless, or every
 * 100 ms where writes cannot be watched; a write transaction is opened only when a
 * task is there (watcher/claim_wait.ts, shared with the MCP server's waiting claim).
 */
import { openProject } from "../cli/context.ts";
import { printJsonText } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { claimWhenReady } from "../watcher/claim_wait.ts";

/** Waits for, claims and prints the stream's next task. */
export async function wait(inv: Inv<"wait">): Promise<number> {
  const { stream, timeout } = inv.flags; // the parser takes positive whole numbers only
  const p = await openProject(inv);
  // Serialised inside the claim: a task that cannot be printed stays queued.
  const claimed = await claimWhenReady(
    p,
    stream,
    timeout === undefined ? Infinity : timeout * 1000,
    {
      handover: (t) => JSON.stringify(t, null, 2),
    },
  );
  if (claimed) printJsonText(claimed.out);
  return 0;
}
