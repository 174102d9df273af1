/** The task list: status tabs, stream / stale / limit filters, the table with requeue buttons. */
import { TASK_LIST_DEFAULT, TASK_LIST_MAX } from "../../core/constants.ts";
import type { TaskListItem } from "../../core/schemas.ts";
import type { ParsedTaskQuery } from "../../engine/task_query.ts";
import { TaskTable } from "../components.tsx";
import { href } from "../format.ts";

/** The filters of the task list (as `parseTaskQuery` reads them). */
export type TaskFilters = ParsedTaskQuery;

/** The tasks page body. */
export function TasksPage(
  props: { tasks: TaskListItem[]; streams: { name: string }[]; f: TaskFilters },
) {
  const f = props.f;
  const tab = (label: string, status?: string, stale?: boolean) => {
    const on = stale ? !!f.stale : !f.stale && f.status === status;
    return (
      <a
        class={on ? "on" : undefined}
        href={href("/tasks", {
          status,
          stale: stale ? "1" : undefined,
          stream: f.stream,
          limit: f.limit === TASK_LIST_DEFAULT ? undefined : f.limit,
        })}
      >
        {label}
      </a>
    );
  };
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Tasks</h1>
          <p>
            Newest first. <span class="pill s-stale">stale</span>{" "}
            rows are running past their timeout; <span class="pill s-failed">auto-failed</span>{" "}
            rows passed twice their timeout with no report.
          </p>
        </div>
        <div class="actions">
          <a class="btn btn-primary" href={href("/enqueue", { stream: f.stream })}>Enqueue task</a>
        </div>
      </div>
      <section class="card">
        <form class="filters" method="get" action="/tasks">
          <div class="seg" role="tablist">
            {tab("All")}
            {tab("Queued", "queued")}
            {tab("Running", "running")}
            {tab("Stale", undefined, true)}
            {tab("Succeeded", "succeeded")}
            {tab("Failed", "failed")}
          </div>
          <span class="spacer"></span>
          <input type="hidden" name="status" value={f.status ?? ""} />
          {f.stale ? <input type="hidden" name="stale" value="1" /> : null}
          <label class="field">
            <span>Stream</span>
            <select name="stream">
              <option value="">All streams</option>
              {props.streams.map((s) => (
                <option value={s.name} selected={s.name === f.stream}>{s.name}</option>
              ))}
            </select>
          </label>
          <label class="field narrow">
            <span>Limit</span>
            <input
              name="limit"
              type="number"
              min="1"
              max={String(TASK_LIST_MAX)}
              value={String(f.limit)}
            />
          </label>
          <button class="btn" type="submit">Apply</button>
        </form>
        <TaskTable tasks={props.tasks} id="tasks-table" />
        <div class="card-foot faint" id="tasks-count" data-live="">
          {props.tasks.length === f.limit
            ? `Showing the newest ${f.limit}. Raise the limit to see more.`
            : `${props.tasks.length} task${props.tasks.length === 1 ? "" : "s"}`}
        </div>
      </section>
    </>
  );
}
