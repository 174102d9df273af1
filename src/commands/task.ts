/** `sparkq task <id> [--json]`: everything about one task. */
import { openProject } from "../cli/context.ts";
import { shortTime } from "../core/format.ts";
import { c, line, printJson } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { getTask } from "../engine/queue.ts";
import { autoFailAfter } from "../engine/timing.ts";
import { durationCell, statusCell } from "./tasks.ts";

/**
 * Shows a task: status and timing, payload, result (summary first), error, stdout,
 * stderr and its stream's instructions. `--json` prints one object with `stream`.
 */
export async function task(inv: Inv<"task">): Promise<number> {
  const p = await openProject(inv);
  const t = getTask(p, inv.args.id);
  if (inv.flags.json) {
    printJson(t);
    return 0;
  }
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`${c.dim(name.padEnd(10))} ${value}`);
  out.push(`${c.bold("Task")} ${t.id}`);
  field("status", statusCell(t));
  field("tool", `${t.tool_name} (${t.task_class})`);
  field("stream", `${t.stream.name} (${t.stream.id})`);
  field("created", stamp(t.created_at));
  field("started", stamp(t.started_at));
  field("finished", stamp(t.finished_at));
  field("duration", durationCell(t, Date.now()));
  field("attempts", String(t.attempts));
  field(
    "timeout",
    `${t.timeout}s (stale after ${t.timeout}s, auto-failed after ${autoFailAfter(t.timeout)}s)`,
  );

  section(out, "Payload", JSON.stringify(t.payload, null, 2));
  if (t.result) {
    const { summary, ...rest } = t.result;
    // A failed task's result (structured facts) need not have a summary.
    const body = summary === undefined ? [] : [`${c.bold("Summary:")} ${String(summary)}`];
    if (Object.keys(rest).length) body.push(JSON.stringify(rest, null, 2));
    section(out, "Result", body.join("\n"));
  }
  if (t.error !== null) section(out, "Error", c.red(t.error));
  if (t.stdout !== null) section(out, "Stdout", t.stdout);
  if (t.stderr !== null) section(out, "Stderr", t.stderr);
  section(out, `Stream instructions (${t.stream.name})`, t.stream.instructions ?? c.dim("(none)"));
  line(out.join("\n"));
  return 0;
}

function stamp(iso: string | null): string {
  return iso ? `${shortTime(iso)} UTC` : "-";
}

function section(out: string[], title: string, body: string): void {
  out.push("", c.bold(`── ${title} `), body.replace(/\n$/, ""));
}
