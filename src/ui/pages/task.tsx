/**
 * One task: summary (or error) first, then a late report (kept after an auto-fail),
 * progress notes, result, payload, stdout and stderr panels; timing (with the last
 * heartbeat) and the stream's instructions on the side; lineage links both ways
 * (requeued from / requeued as); a requeue form for failed tasks.
 */
import { deadlines, isAutoFailed } from "../../engine/timing.ts";
import type { TaskShow } from "../../core/schemas.ts";
import { Copy, LastBeat, Pill, Since, TaskStatus, Time } from "../components.tsx";
import { bytes, href, pretty, ranFor, resultFirst, seconds } from "../format.ts";

/** A task as the detail page gets it (`getTask`: outputs cut to their last 64 KiB). */
export type TaskView = TaskShow;

/** A link to a task page. */
function TaskLink(props: { id: string }) {
  return <a class="mono" href={`/tasks/${encodeURIComponent(props.id)}`}>{props.id}</a>;
}

/** The task page body. */
export function TaskPage(props: { t: TaskView; streams: { name: string }[] }) {
  const t = props.t;
  return (
    <>
      <div class="detail-head" id="task-head" data-live="">
        <div>
          <div class="idline">
            <span class="id">{t.id}</span>
            <Copy text={t.id} />
            <TaskStatus task={t} />
          </div>
          <div class="facts">
            <span>
              tool <b>{t.tool_name}</b>
            </span>
            <span>
              stream <a href={href("/", { stream: t.stream.name })}>{t.stream.name}</a>
            </span>
            <span>{t.task_class}</span>
            <span>
              attempt{t.attempts === 1 ? "" : "s"} <b>{t.attempts}</b>
            </span>
          </div>
          <Lineage t={t} />
        </div>
        {t.status === "failed"
          ? (
            <form
              class="inline"
              id="requeue-form"
              data-api={`/api/tasks/${encodeURIComponent(t.id)}/requeue`}
              data-then="goto-task"
            >
              <label class="field">
                <span>Requeue into</span>
                <select name="stream" data-optional="">
                  <option value="">{`${t.stream.name} (same stream)`}</option>
                  {props.streams.filter((s) => s.name !== t.stream.name).map((s) => (
                    <option value={s.name}>{s.name}</option>
                  ))}
                </select>
              </label>
              <button class="btn btn-primary" type="submit">Requeue</button>
              <div class="form-msg"></div>
            </form>
          )
          : <a class="btn" href={href("/tasks", { stream: t.stream.name })}>Stream's tasks</a>}
      </div>

      <div class="grid grid-side" id="task-body" data-live="">
        <div class="stack">
          <Headline t={t} />
          <LateReport t={t} />
          <Notes t={t} />
          {t.result
            ? (
              <Panel title="Result" meta="summary first">
                <pre class="code">{resultFirst(t.result)}</pre>
              </Panel>
            )
            : null}
          <Panel title="Payload">
            <pre class="code">{pretty(t.payload)}</pre>
          </Panel>
          <Output title="stdout" text={t.stdout} omitted={t.stdout_omitted_bytes} />
          <Output title="stderr" text={t.stderr} omitted={t.stderr_omitted_bytes} err />
        </div>
        <div class="stack">
          <Timing t={t} />
          <section class="card">
            <div class="card-head">
              <h2>Stream {t.stream.name}</h2>
              <a class="small" href={href("/tasks", { stream: t.stream.name })}>Tasks</a>
            </div>
            <div class="card-body">
              <h3>Instructions</h3>
              {t.stream.instructions
                ? <pre class="instructions">{t.stream.instructions}</pre>
                : <div class="faint small">This stream has no instructions.</div>}
            </div>
          </section>
        </div>
      </div>
    </>
  );
}

function Headline(props: { t: TaskView }) {
  const t = props.t;
  if (t.status === "succeeded") {
    const summary = t.result?.summary;
    return (
      <div class="banner summary">
        <h3>Summary</h3>
        <p>{typeof summary === "string" ? summary : "(no summary)"}</p>
      </div>
    );
  }
  if (t.status === "failed") {
    return (
      <div class="banner error">
        <h3>{isAutoFailed(t) ? "Auto-failed" : "Error"}</h3>
        <pre>{t.error ?? "(no error message)"}</pre>
      </div>
    );
  }
  if (t.status === "running" && t.stale) {
    const d = deadlines(t);
    return (
      <div class="banner stale">
        <h3>Stale</h3>
        Running past its {seconds(t.timeout)} timeout with no report; it is auto-failed at{" "}
        <Time iso={d?.auto_fail_at} absolute />.
      </div>
    );
  }
  return (
    <div class="banner info">
      <h3>{t.status === "running" ? "Running" : "Queued"}</h3>
      {t.status === "running"
        ? (
          <span class="muted">
            A worker claimed it{" "}
            <Time iso={t.started_at} />; with no report or heartbeat it turns stale at{" "}
            <Time iso={deadlines(t)?.stale_at} absolute />.
          </span>
        )
        : (
          <span class="muted">
            Waiting in stream <b>{t.stream.name}</b> for its worker to claim it.
          </span>
        )}
    </div>
  );
}

function Panel(props: { title: string; meta?: string; children: unknown }) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>
          {props.title} {props.meta ? <span class="meta">{props.meta}</span> : null}
        </h2>
      </div>
      {props.children}
    </section>
  );
}

/**
 * Where a task came from and where its copies went: `requeued_from` links to the
 * original, `requeued_to` to every copy requeued from this task.
 */
function Lineage(props: { t: TaskView }) {
  const t = props.t;
  if (!t.requeued_from && t.requeued_to.length === 0) return null;
  return (
    <div class="facts lineage" id="task-lineage">
      {t.requeued_from
        ? (
          <span data-lineage="from">
            requeued from <TaskLink id={t.requeued_from} />
          </span>
        )
        : null}
      {t.requeued_to.length
        ? (
          <span data-lineage="to">
            requeued as {t.requeued_to.map((id, i) => (
              <>
                {i > 0 ? ", " : ""}
                <TaskLink id={id} />
              </>
            ))}
          </span>
        )
        : null}
    </div>
  );
}

/** The progress notes a worker sent with its heartbeats, oldest first (newest last). */
function Notes(props: { t: TaskView }) {
  const notes = props.t.notes;
  if (notes.length === 0 && props.t.status !== "running") return null;
  return (
    <section class="card" id="task-notes">
      <div class="card-head">
        <h2>
          Progress notes{" "}
          <span class="meta">
            {notes.length === 0 ? "none yet" : `${notes.length}, newest last`}
          </span>
        </h2>
      </div>
      {notes.length === 0
        ? (
          <div class="nothing">
            No notes yet: a worker adds one with 'sparkq heartbeat {props.t.id} --note …'.
          </div>
        )
        : (
          <ol class="notes">
            {notes.map((n) => (
              <li>
                <Time iso={n.at} absolute />
                <span class="note">{n.note}</span>
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}

/**
 * A report that arrived after the task was auto-failed: refused (the auto-fail stands)
 * but kept, and shown apart from the task's own outcome.
 */
function LateReport(props: { t: TaskView }) {
  const r = props.t.late_report;
  if (!r) return null;
  const text = (k: string) => typeof r[k] === "string" ? r[k] as string : null;
  const omitted = (k: string) => typeof r[k] === "number" ? r[k] as number : 0;
  const result = r.result && typeof r.result === "object"
    ? r.result as Record<string, unknown>
    : null;
  const summary = typeof result?.summary === "string" ? result.summary : null;
  return (
    <section class="banner late" id="late-report">
      <h3>
        Late report <span class="pill s-failed">arrived after the auto-fail</span>
      </h3>
      <p class="muted small">
        A worker reported <b>{String(r.outcome ?? "?")}</b>{" "}
        <Time iso={typeof r.at === "string" ? r.at : null} absolute />, after SparkQ had auto-failed
        the task. The auto-fail stands; what the report carried is kept here.
      </p>
      {summary !== null ? <p class="late-summary">{summary}</p> : null}
      {text("error") !== null ? <pre class="late-error">{text("error")}</pre> : null}
      {result ? <pre class="code">{resultFirst(result)}</pre> : null}
      <Output title="late stdout" text={text("stdout")} omitted={omitted("stdout_omitted_bytes")} />
      <Output
        title="late stderr"
        text={text("stderr")}
        omitted={omitted("stderr_omitted_bytes")}
        err
      />
    </section>
  );
}

function Output(props: { title: string; text: string | null; omitted?: number; err?: boolean }) {
  const size = props.text ? new TextEncoder().encode(props.text).length : 0;
  const omitted = props.omitted ?? 0;
  return (
    <section class="card" data-output={props.title}>
      <div class="card-head">
        <h2>
          {props.title} <span class="meta">{props.text ? bytes(size + omitted) : "empty"}</span>
        </h2>
      </div>
      {omitted > 0
        ? (
          <div class="omitted">
            The first {bytes(omitted)} are not shown (the last {bytes(size)} are).{" "}
            <span class="mono">sparkq task ID --full</span> or{" "}
            <span class="mono">GET /api/tasks/ID?full=1</span> gives everything.
          </div>
        )
        : null}
      {props.text
        ? <pre class={`code terminal wrap${props.err ? " err" : ""}`}>{props.text}</pre>
        : <div class="nothing">No {props.title} reported.</div>}
    </section>
  );
}

function Timing(props: { t: TaskView }) {
  const t = props.t;
  const d = t.status === "running" ? deadlines(t) : undefined;
  return (
    <section class="card">
      <div class="card-head">
        <h2>Timing</h2>
      </div>
      <div class="card-body">
        <dl class="kv">
          <dt>Created</dt>
          <dd>
            <Time iso={t.created_at} absolute />
          </dd>
          <dt>Started</dt>
          <dd>
            <Time iso={t.started_at} absolute />
          </dd>
          <dt>Finished</dt>
          <dd>
            <Time iso={t.finished_at} absolute />
          </dd>
          <dt>{t.status === "running" ? "Running for" : "Duration"}</dt>
          <dd>
            {t.status === "running" && t.started_at
              ? <Since iso={t.started_at} />
              : (ranFor(t) ?? <span class="faint">—</span>)}
          </dd>
          <dt>Last heartbeat</dt>
          <dd id="task-heartbeat">
            {t.heartbeat_at
              ? (
                <>
                  <Time iso={t.heartbeat_at} absolute />
                  {t.status === "running"
                    ? (
                      <div class="small">
                        <LastBeat task={t} />
                      </div>
                    )
                    : null}
                </>
              )
              : <span class="faint">none</span>}
          </dd>
          <dt>Timeout</dt>
          <dd>{seconds(t.timeout)}</dd>
          {d
            ? (
              <>
                <dt>Stale after</dt>
                <dd>
                  <Time iso={d.stale_at} absolute />
                </dd>
                <dt>Auto-fails at</dt>
                <dd>
                  <Time iso={d.auto_fail_at} absolute />
                </dd>
              </>
            )
            : null}
          <dt>Status</dt>
          <dd>
            <Pill status={t.status} />
          </dd>
        </dl>
      </div>
    </section>
  );
}
