/**
 * The report as Markdown (the default of `sparkq report`): summary, failures first,
 * then each stream with its instructions and tasks. Task text is escaped for Markdown
 * (inline) or fenced (multi-line), and control characters are shown as visible escapes
 * (core/escape.ts), so the text is safe on a terminal and in a file.
 */
import { duration, shortTime } from "../../core/format.ts";
import { escapeControls } from "../../core/escape.ts";
import type { Report, ReportTask } from "../../engine/report.ts";
import {
  countsLine,
  coverage,
  plural,
  ranFor,
  stateWord,
  timeLines,
  title,
  when,
} from "./words.ts";

/** Markdown-significant characters escaped for inline text. */
function inline(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, "\\$&").replace(/\s*\n\s*/g, " ⏎ ");
}

/** A fenced block (the fence longer than any backtick run inside), indented. */
function fenced(text: string, indent: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return [fence, ...text.split("\n"), fence].map((l) => indent + l).join("\n");
}

/** Text inline when it is one line, else a fenced block under the item. */
function textBlock(label: string, text: string, indent: string): string {
  return text.includes("\n")
    ? `${indent}${label}:\n${fenced(text, indent + "  ")}`
    : `${indent}${label}: ${inline(text)}`;
}

function code(id: string): string {
  return "`" + id + "`";
}

const MARK: Record<string, string> = {
  succeeded: "✔",
  failed: "✘",
  "auto-failed": "✘",
  running: "▶",
  queued: "…",
};

/** The copies of a task: "requeued as `tsk_b` (succeeded)". */
function copiesLine(t: ReportTask): string | undefined {
  if (!t.requeued_to.length) return undefined;
  return "requeued as " +
    t.requeued_to.map((c) =>
      `${code(c.id)} (${c.status}${c.stream !== t.stream ? ` in ${c.stream}` : ""})`
    )
      .join(", ");
}

function failure(t: ReportTask): string {
  const out = [
    `### ${MARK[stateWord(t)]} ${code(t.id)} ${inline(t.tool)} in ${inline(t.stream)} — ${
      stateWord(t)
    }${t.duration_seconds === null ? "" : ` after ${ranFor(t)}`}`,
    "",
    textBlock("- Error", t.error ?? "(no message)", ""),
  ];
  if (t.stderr_tail) {
    const cut = t.stderr_omitted_bytes
      ? ` (${t.stderr_omitted_bytes} earlier bytes not shown)`
      : "";
    out.push(`- Last lines of stderr${cut}:`, fenced(t.stderr_tail, "  "));
  }
  if (t.late_report) out.push(lateLine(t, "- "));
  if (t.requeued_from) out.push(`- Requeued from ${code(t.requeued_from)}`);
  const copies = copiesLine(t);
  if (copies) out.push(`- ${copies[0].toUpperCase()}${copies.slice(1)}`);
  out.push(
    `- Finished ${when(t.finished_at)}${
      t.notes.length ? `; last note: ${inline(t.notes.at(-1)!.note)}` : ""
    }`,
  );
  return out.join("\n");
}

function lateLine(t: ReportTask, prefix: string): string {
  const l = t.late_report!;
  const what = l.outcome === "succeeded"
    ? `succeeded: ${inline(l.summary ?? "")}`
    : `failed: ${inline(l.error ?? "")}`;
  return `${prefix}Late report (arrived ${
    when(l.at)
  }, after the auto-fail; kept, not applied): ${what}`;
}

function taskItem(t: ReportTask): string {
  const state = stateWord(t);
  const timing = t.status === "queued"
    ? `queued ${when(t.created_at)}`
    : `${state} in ${ranFor(t)}`;
  let head = `- ${MARK[state]} ${code(t.id)} **${inline(t.tool)}** — ${timing}`;
  const sub: string[] = [];
  const text = t.status === "succeeded" ? t.summary : t.status === "failed" ? t.error : null;
  if (text !== null && text !== undefined) {
    if (text.includes("\n")) {
      sub.push(textBlock(t.status === "succeeded" ? "summary" : "error", text, "  "));
    } else head += `: ${inline(text)}`;
  }
  for (const n of t.notes) sub.push(`  - note ${shortTime(n.at).slice(11)}: ${inline(n.note)}`);
  if (t.late_report) sub.push(lateLine(t, "  - "));
  if (t.requeued_from) sub.push(`  - requeued from ${code(t.requeued_from)}`);
  const copies = copiesLine(t);
  if (copies) sub.push(`  - ${copies}`);
  return [head, ...sub].join("\n");
}

/** The whole report as Markdown text. */
export function reportMarkdown(r: Report): string {
  const out: string[] = [`# ${inline(title(r))}`, "", inline(coverage(r))];
  if (r.session.description) out.push("", `> ${inline(r.session.description)}`);
  out.push("", "## Summary", "");
  out.push(`- ${plural(r.counts.total, "task")}: ${countsLine(r.counts)}`);
  for (const l of timeLines(r)) out.push(`- ${l}`);
  if (r.charts.tools.length) {
    out.push("", "| Tool | Finished | Median run |", "|---|---:|---:|");
    for (const t of r.charts.tools) {
      out.push(`| ${inline(t.tool)} | ${t.finished} | ${duration(t.median_seconds)} |`);
    }
  }
  out.push("", `## Failures (${r.failures.length})`, "");
  if (r.failures.length === 0) out.push("None.");
  else out.push(r.failures.map(failure).join("\n\n"));
  out.push("", "## Streams");
  if (r.streams.length === 0) out.push("", "No streams.");
  for (const s of r.streams) {
    out.push(
      "",
      `### ${inline(s.name)} (${s.status}) — ${plural(s.counts.total, "task")}: ${
        countsLine(s.counts)
      }`,
      "",
    );
    if (s.instructions) out.push("Instructions:", "", fenced(s.instructions, ""), "");
    out.push(s.tasks.length ? s.tasks.map(taskItem).join("\n") : "No tasks.");
  }
  const busy = r.charts.hourly.filter((h) => h.succeeded + h.failed > 0);
  if (busy.length) {
    out.push(
      "",
      "## Finished per hour (UTC)",
      "",
      "| Hour | Succeeded | Failed |",
      "|---|---:|---:|",
    );
    for (const h of busy) {
      out.push(`| ${shortTime(h.hour).slice(0, 13)}:00 | ${h.succeeded} | ${h.failed} |`);
    }
  }
  return escapeControls(out.join("\n") + "\n");
}
