/** `sparkq purge [--older-than 3d]`: delete old succeeded and failed tasks. */
import { openProject } from "../cli/context.ts";
import { clearProgress, line, progress } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { purge as purgeTasks } from "../engine/queue.ts";

/**
 * Deletes succeeded and failed tasks finished longer ago than `--older-than` (default:
 * `purge.older_than_days`); prints how many. A bad duration is a usage error (exit 2,
 * from the parser: the flag is declared as a duration).
 * On a terminal, a long purge shows a running count on stderr.
 */
export async function purge(inv: Inv<"purge">): Promise<number> {
  const flag = inv.flags["older-than"];
  const p = await openProject(inv);
  const days = p.config.purge.older_than_days;
  const label = flag?.text ?? `${days}d`;
  const ms = flag?.ms ?? days * 864e5;
  const tty = Deno.stderr.isTerminal();
  const n = purgeTasks(p, ms, {
    bulk: true,
    onProgress: tty ? (done) => progress(`Purging… ${done} deleted`) : undefined,
  });
  if (tty && n > 0) clearProgress();
  line(`Purged ${n} task${n === 1 ? "" : "s"} finished more than ${label} ago`);
  return 0;
}
