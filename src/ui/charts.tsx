/**
 * The dashboard's charts as inline SVG drawn on the server (SPEC §12.3): no chart library,
 * nothing fetched at run time. Colours come from the stylesheet's variables (classes, not
 * inline styles: the CSP allows no inline style), so the charts follow dark mode. Every
 * bar carries its numbers as data attributes and a <title> tooltip.
 */
import { duration } from "../core/format.ts";
import type { Activity, HourBar } from "../engine/activity.ts";

const OUTCOMES = [
  ["succeeded", "succeeded"],
  ["failed", "failed"],
  ["auto_failed", "auto-failed"],
] as const;

/** A round upper bound for an axis: 1, 2, 5 × a power of ten, at least `n`. */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** `HH:00` of an hour's ISO start (UTC). */
const hourLabel = (iso: string) => `${iso.slice(11, 13)}:00`;

/** Tasks finished per hour over the last 24 hours, stacked by outcome. */
export function ThroughputChart(props: { hours: HourBar[] }) {
  const hours = props.hours;
  const W = 720, H = 190, left = 40, right = 8, top = 10, bottom = 24;
  const plotW = W - left - right, plotH = H - top - bottom;
  const total = (h: HourBar) => h.succeeded + h.failed + h.auto_failed;
  const sum = hours.reduce((n, h) => n + total(h), 0);
  const max = niceMax(Math.max(0, ...hours.map(total)));
  const slot = plotW / hours.length;
  const barW = Math.max(2, slot * 0.72);
  const y = (n: number) => top + plotH - (n / max) * plotH;
  const px = (n: number) => n.toFixed(1);
  return (
    <svg
      class="chart"
      id="chart-throughput"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Tasks finished per hour over the last 24 hours: ${sum} in all`}
      data-total={String(sum)}
    >
      {[0, max / 2, max].map((v) => (
        <g class="grid">
          <line x1={left} x2={W - right} y1={px(y(v))} y2={px(y(v))} />
          <text class="axis" x={left - 6} y={px(y(v) + 4)} text-anchor="end">
            {Number.isInteger(v) ? String(v) : v.toFixed(1)}
          </text>
        </g>
      ))}
      {hours.map((h, i) => {
        const x = left + i * slot + (slot - barW) / 2;
        let base = 0;
        return (
          <g class="hour" data-hour={h.start} data-total={String(total(h))}>
            {OUTCOMES.map(([key, label]) => {
              const n = h[key];
              if (n === 0) return null;
              const y0 = y(base), y1 = y(base + n);
              base += n;
              return (
                <rect
                  class={`bar o-${key}`}
                  data-outcome={label}
                  data-n={String(n)}
                  x={px(x)}
                  y={px(y1)}
                  width={px(barW)}
                  height={px(Math.max(1, y0 - y1))}
                >
                  <title>{`${hourLabel(h.start)} UTC: ${n} ${label}`}</title>
                </rect>
              );
            })}
            {i % 6 === 0 || i === hours.length - 1
              ? (
                <text class="axis" x={px(x + barW / 2)} y={H - 6} text-anchor="middle">
                  {i === hours.length - 1 ? "now" : hourLabel(h.start)}
                </text>
              )
              : null}
          </g>
        );
      })}
    </svg>
  );
}

/** Median run time per tool, as horizontal bars. */
export function DurationChart(props: { tools: Activity["tools"] }) {
  const tools = props.tools;
  const W = 460, row = 28, labelW = 120, valueW = 92, top = 4;
  const H = top * 2 + row * tools.length;
  const max = Math.max(0.001, ...tools.map((t) => t.median_s));
  const barMax = W - labelW - valueW;
  return (
    <svg
      class="chart"
      id="chart-durations"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label="Median run time per tool over the last 24 hours"
    >
      {tools.map((t, i) => {
        const y = top + i * row;
        const w = Math.max(2, (t.median_s / max) * barMax);
        const name = t.tool_name.length > 16 ? t.tool_name.slice(0, 15) + "…" : t.tool_name;
        return (
          <g
            class="tool"
            data-tool={t.tool_name}
            data-median={String(t.median_s)}
            data-n={String(t.n)}
          >
            <text class="label" x={labelW - 10} y={y + row / 2 + 4} text-anchor="end">{name}</text>
            <rect
              class="bar o-duration"
              x={labelW}
              y={y + 5}
              width={w.toFixed(1)}
              height={row - 10}
            >
              <title>
                {`${t.tool_name}: median ${duration(t.median_s)} over ${t.n} task${
                  t.n === 1 ? "" : "s"
                }`}
              </title>
            </rect>
            <text class="axis" x={(labelW + w + 8).toFixed(1)} y={y + row / 2 + 4}>
              {`${duration(t.median_s)} · ${t.n}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The two charts in their cards, with a legend. */
export function ActivityCharts(props: { a: Activity }) {
  const { hours, tools } = props.a;
  const sums = OUTCOMES.map(([key, label]) =>
    [
      label,
      hours.reduce((n, h) => n + h[key], 0),
    ] as const
  );
  return (
    <div class="grid grid-charts" id="dash-charts" data-live="">
      <section class="card">
        <div class="card-head">
          <h2>Finished per hour</h2>
          <span class="legend small">
            {sums.map(([label, n]) => (
              <span class={`key o-${label.replace("-", "_")}`}>
                <i></i>
                {label} <b>{n}</b>
              </span>
            ))}
          </span>
        </div>
        <div class="chart-wrap">
          <ThroughputChart hours={hours} />
        </div>
        <div class="card-foot faint small">Last 24 hours, by hour (UTC).</div>
      </section>
      <section class="card">
        <div class="card-head">
          <h2>Median run time per tool</h2>
          <span class="faint small">last 24 h · tasks</span>
        </div>
        <div class="chart-wrap">
          {tools.length ? <DurationChart tools={tools} /> : (
            <p class="muted small chart-empty">
              No task finished with a report in the last 24 hours.
            </p>
          )}
        </div>
      </section>
    </div>
  );
}
