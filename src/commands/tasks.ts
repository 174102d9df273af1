/**
 * `sparkq tasks [--status S] [--stream S] [--stale] [--limit N] [--json [--with-output]]`.
 * The JSON leaves outputs out (their sizes instead) unless --with-output.
 */
import { openProject } from "../cli/context.ts";
import { duration, shortTime } from "../core/format.ts";
import { c, line, printJson, table } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { listTasks } from "../engine/queue.ts";
import { parseTaskQuery } from "../engine/task_query.ts";
import { isAutoFailed } from "../engine/timing.ts";
import type { TaskListItem } from "../core/schemas.ts";

/** Lists tasks newest first (`TASK_LIST_DEFAULT` of them unless --limit) as a table; stale ones marked. */
export async function tasks(inv: Inv<"tasks">): Promise<number> {
  const f = inv.flags;
  const query = parseTaskQuery(
    { status: f.status, stream: f.stream, stale: f.stale, limit: f.limit },
    (field) => `--${field}`,
  );
  const p = await openProject(inv);
  const rows = listTasks(p, query, { withOutput: f["with-output"] });
  if (inv.flags.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    line("No tasks match.");
    return 0;
  }
  const now = Date.now();
  line(table(
    ["ID", "TOOL", "STREAM", "STATUS", "CREATED", "STARTED", "FINISHED", "DURATION"],
    rows.map((t) => [
      t.id,
      t.tool_name,
      t.stream_name,
      statusCell(t),
      shortTime(t.created_at),
      shortTime(t.started_at),
      shortTime(t.finished_at),
      durationCell(t, now),
    ]),
  ));
  const stale = rows.filter((t) => t.stale).length;
  if (stale) {
    line(c.yellow(`${stale} stale: running longer than their timeout (auto-failed at 2x)`));
  }
  return 0;
}

/** The status column: coloured, with a STALE mark on running tasks past their timeout. */
export function statusCell(t: Pick<TaskListItem, "status" | "stale" | "auto_failed">): string {
  if (t.stale) return c.yellow(`${t.status} STALE`);
  switch (t.status) {
    case "succeeded":
      return c.green(t.status);
    case "failed":
      return c.red(isAutoFailed(t) ? "failed (auto)" : t.status);
    case "running":
      return c.cyan(t.status);
    default:
      return t.status;
  }
}

/** Run time: finished − started, or so far (with `+`) for a running task; `-` if not started. */
export function durationCell(
  t: Pick<TaskListItem, "started_at" | "finished_at">,
  nowMs: number,
): string {
  if (!t.started_at) return "-";
  const start = Date.parse(t.started_at);
  if (t.finished_at) return duration((Date.parse(t.finished_at) - start) / 1000);
  return `${duration(Math.max(0, nowMs - start) / 1000)}+`;
}
