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

/** The report's stylesheet: light, and dark when the system prefers it. Scoped to `.sq-report`. */
export const REPORT_CSS = `
.sq-report{--bg:#f6f7fb;--card:#fff;--text:#1c2030;--muted:#5f6679;--line:#e3e6ef;--ok:#1f9d55;
--fail:#d93a3a;--run:#2477c9;--queue:#8a8fa3;--accent:#5b4ee6;--code:#f1f2f7;
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--text);background:var(--bg)}
@media (prefers-color-scheme:dark){.sq-report{--bg:#12141c;--card:#1b1e29;--text:#e6e8f0;--muted:#9aa1b5;
--line:#2c3040;--ok:#3ecf7a;--fail:#ff6b6b;--run:#5aa9ff;--queue:#8a8fa3;--accent:#9b91ff;--code:#23273a}}
.sq-report *{box-sizing:border-box}
.sq-report h1{font-size:24px;margin:0 0 4px}.sq-report h2{font-size:18px;margin:28px 0 10px}
.sq-report h3{font-size:15px;margin:0 0 6px}
.sq-report h1,.sq-report h2,.sq-report h3{text-transform:none;letter-spacing:normal;color:var(--text)}
.sq-report .muted{color:var(--muted)}.sq-report .small{font-size:12px}
.sq-report .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:10px 0}
.sq-report .tiles{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.sq-report .tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px;min-width:110px}
.sq-report .tile b{display:block;font-size:22px}.sq-report .tile span{color:var(--muted);font-size:12px}
.sq-report .tile.ok b{color:var(--ok)}.sq-report .tile.fail b{color:var(--fail)}
.sq-report .tile.run b{color:var(--run)}.sq-report .tile.queue b{color:var(--queue)}
.sq-report .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:10px}
.sq-report .chart{width:100%;height:auto;display:block}
.sq-report .c-ok{fill:var(--ok)}.sq-report .c-fail{fill:var(--fail)}.sq-report .c-bar{fill:var(--accent)}
.sq-report .c-axis{stroke:var(--line);stroke-width:1}.sq-report .c-label{fill:var(--muted);font-size:13px}
.sq-report pre{background:var(--code);border-radius:6px;padding:8px 10px;margin:6px 0;overflow:auto;
max-height:320px;white-space:pre-wrap;word-break:break-word;font:12px/1.45 ui-monospace,Menlo,Consolas,monospace}
.sq-report code,.sq-report .id{font:12px ui-monospace,Menlo,Consolas,monospace}
.sq-report a{color:var(--accent)}
.sq-report .failure{border-left:4px solid var(--fail)}
.sq-report .pill{display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;font-weight:600;
border:1px solid currentColor;white-space:nowrap}
.sq-report .s-succeeded{color:var(--ok)}.sq-report .s-failed,.sq-report .s-auto-failed{color:var(--fail)}
.sq-report .s-running{color:var(--run)}.sq-report .s-queued{color:var(--queue)}
.sq-report table{width:100%;border-collapse:collapse;background:var(--card)}
.sq-report th,.sq-report td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
.sq-report th{font-size:12px;color:var(--muted);font-weight:600}
.sq-report td.num{text-align:right}.sq-report td:not(:last-child){white-space:nowrap}
.sq-report .outcome{white-space:pre-wrap;word-break:break-word}
.sq-report .late{border:1px dashed var(--fail);border-radius:6px;padding:6px 10px;margin:6px 0}
.sq-report ul.notes{margin:4px 0 0;padding-left:18px;color:var(--muted);font-size:12px}
.sq-report details summary{cursor:pointer;color:var(--muted)}
.sq-report .table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:10px}
`;

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
