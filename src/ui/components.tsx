/** Small pieces the pages share: status pills, times, task rows and tables, empty states. */
import type { Child } from "hono/jsx";
import { isAutoFailed } from "../engine/timing.ts";
import { NAME_HTML_PATTERN } from "../core/constants.ts";
import type { Counts, TaskListItem } from "../core/schemas.ts";
import { clip, href, outcome, ranFor, utc } from "./format.ts";

/** A coloured status pill (task, session or stream status, or `stale`). */
export function Pill(props: { status: string; label?: string }) {
  return <span class={`pill s-${props.status}`}>{props.label ?? props.status}</span>;
}

/** A timestamp: UTC text that the page's script turns into "3 min ago". */
export function Time(props: { iso: string | null | undefined; absolute?: boolean }) {
  if (!props.iso) return <span class="faint">—</span>;
  return (
    <time datetime={props.iso} data-absolute={props.absolute ? "" : undefined}>
      {utc(props.iso)}
    </time>
  );
}

/** A running duration the page's script keeps ticking. */
export function Since(props: { iso: string }) {
  return <span data-since={props.iso}>running</span>;
}

/**
 * How long ago a running task last showed life: its last heartbeat, else its start
 * (the later of the two), ticking in the page's script.
 */
export function LastBeat(
  props: { task: { heartbeat_at: string | null; started_at: string | null } },
) {
  const t = props.task;
  const beat = t.heartbeat_at !== null && (!t.started_at || t.heartbeat_at > t.started_at);
  const iso = beat ? t.heartbeat_at : t.started_at;
  if (!iso) return null;
  return (
    <span
      class={`beat${beat ? " on" : ""}`}
      data-beat={beat ? "heartbeat" : "start"}
      title={beat ? "time since the worker's last heartbeat" : "no heartbeat yet: time since start"}
    >
      {beat ? "♥ " : "started "}
      <Since iso={iso} /> ago
    </span>
  );
}

/** The CSS class of a task row: stale (yellow) or auto-failed (red). */
export function rowClass(t: TaskListItem | (TaskListItem & { stale: boolean })): string {
  if (t.stale) return "stale";
  if (isAutoFailed(t)) return "autofailed";
  return "";
}

/** A task's status pill, with the stale and auto-failed marks. */
export function TaskStatus(
  props: { task: { status: string; stale: boolean; auto_failed: boolean } },
) {
  const t = props.task;
  return (
    <span class="counts">
      <Pill status={t.status} />
      {t.stale ? <Pill status="stale" /> : null}
      {isAutoFailed(t) ? <Pill status="failed" label="auto-failed" /> : null}
    </span>
  );
}

/** A task's duration cell: ticking while running, fixed when finished. */
export function Duration(props: { task: TaskListItem }) {
  const t = props.task;
  if (t.status === "running" && t.started_at) return <Since iso={t.started_at} />;
  return <span>{ranFor(t) ?? "—"}</span>;
}

/** A button that POSTs `{}` to an API route (through the page script, as JSON). */
export function PostButton(
  props: {
    url: string;
    label: string;
    ok: string;
    confirm?: string;
    then?: "refresh" | "goto-task";
    danger?: boolean;
  },
) {
  return (
    <button
      type="button"
      class={`btn btn-sm${props.danger ? " btn-danger" : ""}`}
      data-post={props.url}
      data-confirm={props.confirm}
      data-ok={props.ok}
      data-then={props.then ?? "refresh"}
    >
      {props.label}
    </button>
  );
}

/** The task table of the Tasks page. */
export function TaskTable(props: { tasks: TaskListItem[]; id: string }) {
  return (
    <div class="table-wrap" id={props.id} data-live="">
      {props.tasks.length === 0
        ? <Empty title="No tasks match" text="Change the filters, or enqueue one." />
        : (
          <table class="tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Stream</th>
                <th>Status</th>
                <th>Created</th>
                <th>Started</th>
                <th>Finished</th>
                <th>Duration</th>
                <th>Outcome</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.tasks.map((t) => {
                const o = outcome(t);
                return (
                  <tr class={rowClass(t)} data-task={t.id}>
                    <td class="id">
                      <a href={`/tasks/${encodeURIComponent(t.id)}`}>{t.id}</a>
                      <div class="sub">{t.tool_name}</div>
                    </td>
                    <td>
                      <a href={href("/tasks", { stream: t.stream_name })}>{t.stream_name}</a>
                    </td>
                    <td>
                      <TaskStatus task={t} />
                    </td>
                    <td class="nowrap">
                      <Time iso={t.created_at} />
                    </td>
                    <td class="nowrap">
                      <Time iso={t.started_at} />
                    </td>
                    <td class="nowrap">
                      <Time iso={t.finished_at} />
                    </td>
                    <td class="nowrap">
                      <Duration task={t} />
                      {t.status === "running" && t.heartbeat_at
                        ? (
                          <div class="sub">
                            <LastBeat task={t} />
                          </div>
                        )
                        : null}
                    </td>
                    <td class="outcome">
                      <span class={`clip${o.error ? " err" : ""}`} title={clip(o.text, 400)}>
                        {clip(o.text, 140)}
                      </span>
                    </td>
                    <td>
                      {t.status === "failed"
                        ? (
                          <div class="actions">
                            <PostButton
                              url={`/api/tasks/${encodeURIComponent(t.id)}/requeue`}
                              label="Requeue"
                              ok="Requeued as"
                            />
                          </div>
                        )
                        : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
    </div>
  );
}

/** A compact list of tasks (dashboard panels). */
export function TaskList(props: { tasks: TaskListItem[]; empty: string; hint?: string }) {
  if (props.tasks.length === 0) return <Empty title={props.empty} text={props.hint} />;
  return (
    <ul class="tlist">
      {props.tasks.map((t) => {
        const o = outcome(t);
        return (
          <li class={rowClass(t)} data-task={t.id}>
            <a class="row" href={`/tasks/${encodeURIComponent(t.id)}`}>
              <TaskStatus task={t} />
              <span class="clip">
                <span class="tool">{t.tool_name}</span>{" "}
                <span class="faint">· {t.stream_name} ·</span>
                <span class="mono faint">{t.id}</span>
              </span>
              <span class="meta">
                {t.status === "running" && t.started_at
                  ? <LastBeat task={t} />
                  : <Time iso={t.finished_at ?? t.created_at} />}
              </span>
              {t.status === "running" && t.notes.length
                ? <span class="line2 note">{clip(t.notes[t.notes.length - 1].note, 160)}</span>
                : <span class={`line2${o.error ? " err" : ""}`}>{clip(o.text, 160)}</span>}
            </a>
          </li>
        );
      })}
    </ul>
  );
}

const COUNT_KEYS = ["queued", "running", "stale", "succeeded", "failed"] as const;

/** Per-state count pills of a stream (non-zero states only). */
export function CountPills(props: { counts: Counts }) {
  const c = props.counts;
  const shown = COUNT_KEYS.filter((k) => c[k] > 0);
  return (
    <span class="counts">
      {shown.length === 0
        ? <span class="idle">no tasks yet</span>
        : shown.map((k) => (
          <span class={`pill s-${k}`} title={k}>
            {c[k]} {k}
          </span>
        ))}
    </span>
  );
}

/** A thin stacked bar of a stream's task states (SVG: no inline styles under the CSP). */
export function CountBar(props: { counts: Counts }) {
  const c = props.counts;
  // Stale tasks are running too: draw them apart from the other running ones.
  const parts = [
    ["queued", c.queued],
    ["running", c.running - c.stale],
    ["stale", c.stale],
    ["succeeded", c.succeeded],
    ["failed", c.failed],
  ] as const;
  const total = parts.reduce((n, [, v]) => n + Math.max(0, v), 0);
  if (total === 0) return null;
  let x = 0;
  return (
    <svg class="bar" viewBox="0 0 100 5" preserveAspectRatio="none" aria-hidden="true">
      {parts.filter(([, v]) => v > 0).map(([k, v]) => {
        const w = (v / total) * 100;
        const rect = (
          <rect class={`b-${k}`} x={x.toFixed(2)} y="0" width={w.toFixed(2)} height="5" />
        );
        x += w;
        return rect;
      })}
    </svg>
  );
}

/** An empty state. */
export function Empty(props: { title: string; text?: Child }) {
  return (
    <div class="empty">
      <strong>{props.title}</strong>
      {props.text ?? null}
    </div>
  );
}

/** A copy-to-clipboard button for an ID. */
export function Copy(props: { text: string }) {
  return (
    <button type="button" class="copy" data-copy={props.text} title="Copy">
      copy
    </button>
  );
}

/** The name field of the session and stream forms, checked by the browser with SparkQ's name rule. */
export function NameField(props: { placeholder: string }) {
  return (
    <label class="field">
      <span>Name</span>
      <input
        name="name"
        required
        maxlength={64}
        pattern={NAME_HTML_PATTERN}
        placeholder={props.placeholder}
        autocomplete="off"
      />
    </label>
  );
}
