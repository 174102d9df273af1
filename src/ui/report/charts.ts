/**
 * Charts as inline SVG text, drawn on the server (no script, no chart library, no
 * request): tasks finished per hour by outcome (stacked bars) and the median run time
 * per tool (horizontal bars). Colours come from CSS classes (`c-ok`, `c-fail`, `c-bar`,
 * `c-axis`, `c-label`), so the charts follow the page's light or dark theme and need no
 * inline style (the web UI's Content-Security-Policy allows none).
 */
import { duration, shortTime } from "../../core/format.ts";
import type { ReportHour, ReportTool } from "../../engine/report.ts";
import { escapeHtml } from "./escape_html.ts";

const f = (n: number) => String(Math.round(n * 10) / 10);

/** Stacked bars of tasks finished per hour (succeeded below, failed above). */
export function hourlyChart(hours: ReportHour[]): string {
  if (hours.length === 0) return `<p class="muted">No task has finished yet.</p>`;
  const W = 720, H = 180, left = 36, right = 8, top = 10, bottom = 28;
  const plotW = W - left - right, plotH = H - top - bottom;
  const max = Math.max(1, ...hours.map((h) => h.succeeded + h.failed));
  const step = plotW / hours.length;
  const bw = Math.max(1, step * 0.8);
  const y = (n: number) => top + plotH - (n / max) * plotH;
  const bars = hours.map((h, i) => {
    const x = left + i * step + (step - bw) / 2;
    const label = `${
      shortTime(h.hour).slice(0, 13)
    }:00 UTC: ${h.succeeded} succeeded, ${h.failed} failed`;
    const ok = h.succeeded
      ? `<rect class="c-ok" x="${f(x)}" y="${f(y(h.succeeded))}" width="${f(bw)}" height="${
        f(plotH - (y(h.succeeded) - top))
      }"/>`
      : "";
    const fail = h.failed
      ? `<rect class="c-fail" x="${f(x)}" y="${f(y(h.succeeded + h.failed))}" width="${
        f(bw)
      }" height="${f(y(h.succeeded) - y(h.succeeded + h.failed))}"/>`
      : "";
    return `<g><title>${escapeHtml(label)}</title>${ok}${fail}</g>`;
  }).join("");
  const first = shortTime(hours[0].hour).slice(5, 13) + "h";
  const last = shortTime(hours.at(-1)!.hour).slice(5, 13) + "h";
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Tasks finished per hour by outcome">` +
    `<line class="c-axis" x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${
      top + plotH
    }"/>` +
    `<line class="c-axis" x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}"/>` +
    `<text class="c-label" x="${left - 4}" y="${top + 9}" text-anchor="end">${max}</text>` +
    `<text class="c-label" x="${left - 4}" y="${top + plotH}" text-anchor="end">0</text>` +
    bars +
    `<text class="c-label" x="${left}" y="${H - 8}">${escapeHtml(first)}</text>` +
    `<text class="c-label" x="${W - right}" y="${H - 8}" text-anchor="end">${
      escapeHtml(last)
    } UTC</text>` +
    `</svg>`;
}

/** Horizontal bars of the median run time per tool (slowest first, as given). */
export function toolChart(tools: ReportTool[]): string {
  if (tools.length === 0) return `<p class="muted">No task has finished yet.</p>`;
  const W = 720, row = 26, top = 6, labelW = 170, valueW = 120;
  const H = top * 2 + tools.length * row;
  const plotW = W - labelW - valueW;
  const max = Math.max(...tools.map((t) => t.median_seconds), 0.001);
  const rows = tools.map((t, i) => {
    const y = top + i * row;
    const w = Math.max(1, (t.median_seconds / max) * plotW);
    const name = t.tool.length > 24 ? t.tool.slice(0, 23) + "…" : t.tool;
    return `<g><title>${
      escapeHtml(`${t.tool}: median ${duration(t.median_seconds)} over ${t.finished} finished`)
    }</title>` +
      `<text class="c-label" x="${labelW - 8}" y="${y + 17}" text-anchor="end">${
        escapeHtml(name)
      }</text>` +
      `<rect class="c-bar" x="${labelW}" y="${y + 5}" width="${f(w)}" height="${
        row - 10
      }" rx="3"/>` +
      `<text class="c-label" x="${f(labelW + w + 6)}" y="${y + 17}">${
        escapeHtml(duration(t.median_seconds))
      } · ${t.finished}</text></g>`;
  }).join("");
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Median run time per tool">${rows}</svg>`;
}
