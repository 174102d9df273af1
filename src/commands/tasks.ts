/**
 * `sparkq tasks [--status S] [--stream S] [--stale] [--limit N] [--json [--with-output]]`.
 * The JSON leaves outputs out (their sizes instead) unless --with-output.
 */
import { openProject } from "../cli/context.ts";
import { duration, shortTime } from "../core/format.ts";
import { c, line, lineWidth, printJson, table } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { listTasks } from "../engine/queue.ts";
import { parseTaskQuery } from "../engine/task_query.ts";
import { isAutoFailed } from "../engine/timing.ts";
import type { TaskListItem } from "../core/schemas.ts";

/** The OUTCOME column's width when stdout is not a terminal (use --json for whole texts). */
export const OUTCOME_PIPE_WIDTH = 100;

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
  const width = lineWidth();
  line(table(
    ["ID", "TOOL", "STREAM", "STATUS", "CREATED", "STARTED", "FINISHED", "DURATION", "OUTCOME"],
    rows.map((t) => [
      t.id,
      t.tool_name,
      t.stream_name,
      statusCell(t),
      shortTime(t.created_at),
      shortTime(t.started_at),
      shortTime(t.finished_at),
      durationCell(t, now),
      outcomeCell(t, width === undefined ? OUTCOME_PIPE_WIDTH : undefined),
    ]),
    { fit: width },
  ));
  const stale = rows.filter((t) => t.stale).length;
  if (stale) {
    line(c.yellow(`${stale} stale: running longer than their timeout (auto-failed at 2x)`));
  }
  return 0;
}

/**
 * The outcome column: a succeeded task's summary, a failed task's error, on one line
 * (line breaks shown as ⏎), cut to `max` characters when given.
 */
export function outcomeCell(
  t: Pick<TaskListItem, "status" | "result" | "error">,
  max?: number,
): string {
  const summary = t.result?.summary;
  const text = t.status === "succeeded" && typeof summary === "string"
    ? summary
    : t.status === "failed"
    ? t.error ?? ""
    : "";
  const one = text.replace(/\s*\n\s*/g, " ⏎ ").trim();
  return max !== undefined && [...one].length > max
    ? [...one].slice(0, max - 1).join("") + "…"
    : one;
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
