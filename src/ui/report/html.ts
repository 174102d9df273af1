/**
 * The report as HTML: `reportHtml` is one self-contained document (inline CSS and SVG,
 * no script, no link, no font or image to fetch: it opens offline from a file);
 * `reportSection` is the same content as a fragment for the web UI, which serves
 * `REPORT_CSS` as a stylesheet of its own (its Content-Security-Policy allows no inline
 * style). Every piece of task text goes through `escapeHtml`.
 */
import { duration, shortTime } from "../../core/format.ts";
import type { Report, ReportStream, ReportTask } from "../../engine/report.ts";
import { hourlyChart, toolChart } from "./charts.ts";
import { escapeHtml as h } from "./escape_html.ts";
import REPORT_STYLES from "./report.css" with { type: "text" };
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

/** The report's stylesheet (report.css): light, and dark when the system prefers it. */
export const REPORT_CSS: string = REPORT_STYLES;

/** How a task's ID links (the web UI links to its task page; the file to its row). */
export interface ReportLinks {
  task?: (id: string) => string;
}

function pill(t: Pick<ReportTask, "status" | "auto_failed">): string {
  const s = stateWord(t);
  return `<span class="pill s-${s}">${h(s)}</span>`;
}

function idLink(id: string, links: ReportLinks): string {
  const href = links.task ? links.task(id) : `#${id}`;
  return `<a class="id" href="${h(href)}">${h(id)}</a>`;
}

function chain(t: ReportTask, links: ReportLinks): string {
  const out: string[] = [];
  if (t.requeued_from) out.push(`requeued from ${idLink(t.requeued_from, links)}`);
  if (t.requeued_to.length) {
    out.push(
      "requeued as " +
        t.requeued_to.map((c) =>
          `${idLink(c.id, links)} ${pill({ status: c.status, auto_failed: false })}${
            c.stream !== t.stream ? ` in ${h(c.stream)}` : ""
          }`
        ).join(", "),
    );
  }
  return out.length ? `<div class="small">${out.join(" · ")}</div>` : "";
}

function late(t: ReportTask): string {
  const l = t.late_report;
  if (!l) return "";
  const what = l.outcome === "succeeded"
    ? `succeeded: ${h(l.summary ?? "")}`
    : `failed: ${h(l.error ?? "")}`;
  return `<div class="late small"><b>Late report</b> arrived ${
    h(when(l.at))
  }, after the auto-fail (kept, not applied) — ${what}</div>`;
}

function notes(t: ReportTask): string {
  if (!t.notes.length) return "";
  const items = t.notes.map((n) =>
    `<li><span class="id">${h(shortTime(n.at).slice(11))}</span> ${h(n.note)}</li>`
  )
    .join("");
  return t.notes.length > 3
    ? `<details><summary class="small">${
      plural(t.notes.length, "progress note")
    }</summary><ul class="notes">${items}</ul></details>`
    : `<ul class="notes">${items}</ul>`;
}

function failure(t: ReportTask, links: ReportLinks): string {
  const stderr = t.stderr_tail
    ? `<div class="small muted">Last lines of stderr${
      t.stderr_omitted_bytes ? ` (${t.stderr_omitted_bytes} earlier bytes not shown)` : ""
    }</div><pre>${h(t.stderr_tail)}</pre>`
    : "";
  return `<div class="card failure" data-task="${h(t.id)}"><h3>${pill(t)} ${idLink(t.id, links)} ${
    h(t.tool)
  } <span class="muted">in ${h(t.stream)}${
    t.duration_seconds === null ? "" : ` · after ${h(ranFor(t))}`
  } · ${h(when(t.finished_at))}</span></h3>` +
    `<pre>${h(t.error ?? "(no message)")}</pre>${stderr}${late(t)}${chain(t, links)}${
      notes(t)
    }</div>`;
}

function taskRow(t: ReportTask, links: ReportLinks): string {
  const text = t.status === "succeeded" ? t.summary : t.status === "failed" ? t.error : null;
  const timing = t.status === "queued" ? `queued ${when(t.created_at)}` : ranFor(t);
  return `<tr id="${h(t.id)}" data-task="${h(t.id)}"><td>${idLink(t.id, links)}</td><td>${
    h(t.tool)
  }</td><td>${pill(t)}</td><td class="num">${h(timing)}</td><td><div class="outcome">${
    h(text ?? "")
  }</div>${late(t)}${chain(t, links)}${notes(t)}</td></tr>`;
}

function stream(s: ReportStream, links: ReportLinks): string {
  const instructions = s.instructions
    ? `<details><summary>Instructions</summary><pre>${h(s.instructions)}</pre></details>`
    : "";
  const table = s.tasks.length
    ? `<div class="table-wrap"><table><thead><tr><th>ID</th><th>Tool</th><th>Status</th><th>Duration</th><th>Outcome</th></tr></thead><tbody>${
      s.tasks.map((t) => taskRow(t, links)).join("")
    }</tbody></table></div>`
    : `<p class="muted">No tasks.</p>`;
  return `<section class="stream" data-stream="${h(s.name)}"><h3>${h(s.name)} <span class="pill s-${
    s.status === "active" ? "running" : "queued"
  }">${h(s.status)}</span> <span class="muted small">${plural(s.counts.total, "task")}: ${
    h(countsLine(s.counts))
  }</span></h3>${instructions}${table}</section>`;
}

function tiles(r: Report): string {
  const c = r.counts;
  const tile = (cls: string, value: number | string, label: string) =>
    `<div class="tile ${cls}"><b>${h(String(value))}</b><span>${h(label)}</span></div>`;
  return `<div class="tiles">${tile("", c.total, "tasks")}${tile("ok", c.succeeded, "succeeded")}${
    tile("fail", c.failed, c.auto_failed ? `failed (${c.auto_failed} auto-failed)` : "failed")
  }${tile("run", c.running, "running")}${tile("queue", c.queued, "queued")}${
    tile("", duration(r.time.work_seconds), "work time")
  }</div>`;
}

/** The report as an HTML fragment (`<div class="sq-report">…</div>`), styled by REPORT_CSS. */
export function reportSection(r: Report, links: ReportLinks = {}): string {
  const description = r.session.description ? `<p>${h(r.session.description)}</p>` : "";
  return `<div class="sq-report"><h1>${h(title(r))}</h1><p class="muted small">${
    h(coverage(r))
  }</p>${description}` +
    `<h2>Summary</h2>${tiles(r)}<div class="card">${
      timeLines(r).map((l) => `<div>${h(l)}</div>`).join("")
    }</div>` +
    `<div class="charts"><div class="card"><h3>Finished per hour, by outcome</h3>${
      hourlyChart(r.charts.hourly)
    }</div>` +
    `<div class="card"><h3>Median run time per tool</h3>${toolChart(r.charts.tools)}</div></div>` +
    `<h2 id="failures">Failures (${r.failures.length})</h2>${
      r.failures.length
        ? r.failures.map((t) => failure(t, links)).join("")
        : `<p class="muted">None.</p>`
    }` +
    `<h2>Streams</h2>${
      r.streams.length
        ? r.streams.map((s) => stream(s, links)).join("")
        : `<p class="muted">No streams.</p>`
    }</div>`;
}

/** The report as one self-contained HTML document that opens offline. */
export function reportHtml(r: Report): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${h(title(r))} · SparkQ</title>
<style>${REPORT_CSS}
body{margin:0}.sq-report{padding:24px;max-width:1200px;margin:0 auto;min-height:100vh}
html{background:#f6f7fb}@media (prefers-color-scheme:dark){html{background:#12141c}}</style>
</head><body>${reportSection(r)}</body></html>
`;
}
