/**
 * `sparkq task <id> [--json] [--full]`: everything about one task; each output shows its
 * last 64 KiB unless --full.
 */
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
  const t = getTask(p, inv.args.id, { full: inv.flags.full });
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
  if (t.heartbeat_at) field("heartbeat", stamp(t.heartbeat_at));
  if (t.requeued_from) field("requeued from", t.requeued_from);
  if (t.requeued_to.length) field("requeued as", t.requeued_to.join(", "));

  section(out, "Payload", JSON.stringify(t.payload, null, 2));
  if (t.result) {
    const { summary, ...rest } = t.result;
    // A failed task's result (structured facts) need not have a summary.
    const body = summary === undefined ? [] : [`${c.bold("Summary:")} ${String(summary)}`];
    if (Object.keys(rest).length) body.push(JSON.stringify(rest, null, 2));
    section(out, "Result", body.join("\n"));
  }
  if (t.error !== null) section(out, "Error", c.red(t.error));
  if (t.late_report) lateReport(out, t.late_report);
  if (t.notes.length) notes(out, t.notes);
  if (t.stdout !== null) {
    section(out, "Stdout", omitted("stdout", t.stdout_omitted_bytes) + t.stdout);
  }
  if (t.stderr !== null) {
    section(out, "Stderr", omitted("stderr", t.stderr_omitted_bytes) + t.stderr);
  }
  section(out, `Stream instructions (${t.stream.name})`, t.stream.instructions ?? c.dim("(none)"));
  line(out.join("\n"));
  return 0;
}

/** How many progress notes the human view shows (the newest). */
const NOTES_SHOWN = 20;

function notes(out: string[], list: { at: string; note: string }[]): void {
  const shown = list.slice(-NOTES_SHOWN);
  const body = shown.map((n) => `${c.dim(shortTime(n.at))}  ${n.note}`);
  if (list.length > shown.length) {
    body.unshift(c.dim(`(${list.length - shown.length} earlier notes: --json shows all)`));
  }
  section(out, "Progress notes", body.join("\n"));
}

/** A report that came after the auto-fail: refused, kept for the record. */
function lateReport(out: string[], r: Record<string, unknown>): void {
  const body = [
    c.dim(`reported ${stamp(String(r.at))} after the auto-fail (refused; the auto-fail stands)`),
    `outcome   ${String(r.outcome)}`,
  ];
  if (r.result !== undefined) body.push(`result    ${JSON.stringify(r.result, null, 2)}`);
  if (r.error !== undefined) body.push(`error     ${String(r.error)}`);
  for (const name of ["stdout", "stderr"] as const) {
    if (typeof r[name] !== "string") continue;
    const cut = Number(r[`${name}_omitted_bytes`] ?? 0);
    body.push(`${name}:`, omitted(name, cut) + String(r[name]).replace(/\n$/, ""));
  }
  section(out, "Late report", body.join("\n"));
}

/** The visible line that says the start of an output is not shown. */
function omitted(name: string, bytes: number): string {
  return bytes > 0
    ? c.yellow(`[… first ${bytes} bytes of ${name} not shown (--full shows everything)]`) + "\n"
    : "";
}

function stamp(iso: string | null): string {
  return iso ? `${shortTime(iso)} UTC` : "-";
}

function section(out: string[], title: string, body: string): void {
  out.push("", c.bold(`── ${title} `), body.replace(/\n$/, ""));
}
