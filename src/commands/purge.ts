/** `sparkq purge [--older-than 3d]`: delete old succeeded and failed tasks. */
import { openProject } from "../cli/context.ts";
import { str } from "../cli/flags.ts";
import { line, writeErr } from "../platform/terminal.ts";
import type { Invocation } from "../cli/spec.ts";
import { purge as purgeTasks } from "../engine/queue.ts";
import { parseDuration } from "../engine/validate.ts";
import { isSparkqError, usageError } from "../core/errors.ts";

/**
 * Deletes succeeded and failed tasks finished longer ago than `--older-than` (default:
 * `purge.older_than_days`); prints how many. A bad duration is a usage error (exit 2).
 * On a terminal, a long purge shows a running count on stderr.
 */
export async function purge(inv: Invocation): Promise<number> {
  const flag = str(inv, "older-than");
  let ms: number | undefined;
  if (flag !== undefined) {
    try {
      ms = parseDuration(flag);
    } catch (e) {
      if (isSparkqError(e)) {
        throw usageError(`--older-than: ${e.message}`, e.hint);
      }
      throw e;
    }
  }
  const p = await openProject(inv);
  const days = p.config.purge.older_than_days;
  const label = flag ?? `${days}d`;
  ms ??= days * 864e5;
  const tty = Deno.stderr.isTerminal();
  const n = purgeTasks(p, ms, {
    bulk: true,
    onProgress: tty ? (done) => writeErr(`\rPurging… ${done} deleted`) : undefined,
  });
  if (tty && n > 0) writeErr("\r\x1b[K");
  line(`Purged ${n} task${n === 1 ? "" : "s"} finished more than ${label} ago`);
  return 0;
}
