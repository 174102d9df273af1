/** The dashboard: totals, the last 24 hours' charts, the active sessions and streams, and the four task queues. */
import type { Activity } from "../../engine/activity.ts";
import type { Overview } from "../../engine/status.ts";
import { ActivityCharts } from "../charts.tsx";
import type { Counts, TaskListItem } from "../../core/schemas.ts";
import { CountPills, Empty, TaskList } from "../components.tsx";
import { href } from "../format.ts";

/** What the dashboard shows. */
export interface DashboardData {
  view: Overview;
  /** The stream filter, when set. */
  stream?: string;
  totals: Counts;
  queued: TaskListItem[];
  running: TaskListItem[];
  succeeded: TaskListItem[];
  failed: TaskListItem[];
  /** The charts' data (of the stream, when filtered). */
  activity: Activity;
}

const STATS = ["queued", "running", "stale", "succeeded", "failed"] as const;

/** The dashboard page body. */
export function Dashboard(props: { d: DashboardData }) {
  const { view, stream, totals } = props.d;
  const activeStreams = view.streams.filter((s) => s.status === "active" || s.name === stream);
  const activeSessions = view.sessions.filter((s) => s.status === "active");
  const panel = (
    key: string,
    title: string,
    tasks: TaskListItem[],
    empty: string,
    hint: string,
    status: string,
  ) => (
    <section class="card">
      <div class="card-head">
        <h2>
          {title}
        </h2>
        <a class="small" href={href("/tasks", { status, stream })}>View all</a>
      </div>
      <div id={`dash-${key}`} data-live="">
        <TaskList tasks={tasks} empty={empty} hint={hint} />
      </div>
    </section>
  );
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Dashboard{stream ? <span class="muted">{` · ${stream}`}</span> : null}</h1>
          <p>
            {view.project?.name ?? "SparkQ"} — {activeSessions.length}{" "}
            active session{activeSessions.length === 1 ? "" : "s"}, {activeStreams.length}{" "}
            active stream{activeStreams.length === 1 ? "" : "s"}
          </p>
        </div>
        <div class="actions">
          <a class="btn" href={href("/tasks", { stream })}>All tasks</a>
          <a class="btn btn-primary" href={href("/enqueue", { stream })}>Enqueue task</a>
        </div>
      </div>

      <nav class="chips" id="dash-filter" data-live="" aria-label="stream filter">
        <span class="faint small">Stream</span>
        <a class={`chip${stream ? "" : " on"}`} href="/">All</a>
        {activeStreams.map((s) => (
          <a class={`chip${s.name === stream ? " on" : ""}`} href={href("/", { stream: s.name })}>
            {s.name}
            <span class="n">{s.counts.queued + s.counts.running}</span>
          </a>
        ))}
      </nav>

      <div class="stats" id="dash-stats" data-live="">
        {STATS.map((k) => (
          <a
            class={`card stat c-${k}${totals[k] ? "" : " zero"}`}
            href={k === "stale"
              ? href("/tasks", { stale: "1", stream })
              : href("/tasks", { status: k, stream })}
          >
            <div class="label">{k}</div>
            <div class="value">{totals[k]}</div>
          </a>
        ))}
      </div>

      <ActivityCharts a={props.d.activity} />

      <div class="grid grid-side">
        <div class="grid grid-2">
          {panel(
            "queued",
            "Queued",
            props.d.queued,
            "Nothing queued",
            "Enqueue a task to give a worker something to do.",
            "queued",
          )}
          {panel(
            "running",
            "Running",
            props.d.running,
            "Nothing running",
            "Workers claim queued tasks with 'sparkq claim'.",
            "running",
          )}
          {panel(
            "succeeded",
            "Recently succeeded",
            props.d.succeeded,
            "No successes yet",
            "",
            "succeeded",
          )}
          {panel("failed", "Recently failed", props.d.failed, "No failures", "", "failed")}
        </div>
        <section class="card">
          <div class="card-head">
            <h2>Active sessions</h2>
            <a class="small" href="/sessions">Manage</a>
          </div>
          <div id="dash-sessions" data-live="">
            {activeSessions.length === 0
              ? (
                <Empty
                  title="No active session"
                  text={<a href="/sessions">Create a session to start.</a>}
                />
              )
              : activeSessions.map((sess) => {
                const streams = view.streams.filter((s) =>
                  s.session_id === sess.id && s.status === "active"
                );
                return (
                  <div class="session">
                    <div class="session-title">
                      <h2>{sess.name}</h2>
                      <span class="faint small">
                        {streams.length} stream{streams.length === 1 ? "" : "s"}
                      </span>
                      <a class="small" href={`/sessions/${encodeURIComponent(sess.name)}/report`}>
                        Report
                      </a>
                    </div>
                    {sess.description ? <div class="muted small">{sess.description}</div> : null}
                    <div class="streams-mini">
                      {streams.length === 0
                        ? <a class="small" href="/streams">Add a stream</a>
                        : streams.map((s) => (
                          <a class="stream-mini" href={href("/", { stream: s.name })}>
                            <b>{s.name}</b>
                            <CountPills counts={s.counts} />
                          </a>
                        ))}
                    </div>
                  </div>
                );
              })}
          </div>
        </section>
      </div>
    </>
  );
}
