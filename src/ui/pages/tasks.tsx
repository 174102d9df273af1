/**
 * The task list: status tabs, stream / stale / limit filters, a search box, the table with
 * requeue buttons, and cursor paging (newest first; `rel="next"` / `rel="prev"` links in
 * the head and under the table).
 */
import { TASK_LIST_DEFAULT, TASK_LIST_MAX } from "../../core/constants.ts";
import type { TaskPage } from "../../engine/task_page.ts";
import type { ParsedTaskQuery } from "../../engine/task_query.ts";
import { TaskTable } from "../components.tsx";
import { href } from "../format.ts";

/** The filters of the task list (as `parseTaskQuery` reads them). */
export type TaskFilters = ParsedTaskQuery;

/** The list's URL for these filters (the limit only when not the default) and a page cursor. */
export function tasksHref(
  f: TaskFilters,
  over: { status?: string; stale?: boolean; before?: string; after?: string } = {},
): string {
  const status = "status" in over ? over.status : f.status;
  const stale = "stale" in over ? over.stale : f.stale;
  return href("/tasks", {
    status,
    stale: stale ? "1" : undefined,
    stream: f.stream,
    q: f.search,
    limit: f.limit === TASK_LIST_DEFAULT ? undefined : f.limit,
    before: over.before,
    after: over.after,
  });
}

/** The head links of a page of the list: its neighbours as `rel="next"` and `rel="prev"`. */
export function PageLinks(props: { page: TaskPage; f: TaskFilters }) {
  const { page, f } = props;
  return (
    <>
      {page.prev ? <link rel="prev" href={tasksHref(f, { after: page.prev })} /> : null}
      {page.next ? <link rel="next" href={tasksHref(f, { before: page.next })} /> : null}
    </>
  );
}

/** The tasks page body. */
export function TasksPage(
  props: { page: TaskPage; streams: { name: string }[]; f: TaskFilters },
) {
  const { f, page } = props;
  const tasks = page.tasks;
  const paged = f.before !== undefined || f.after !== undefined;
  const tab = (label: string, status?: string, stale?: boolean) => {
    const on = stale ? !!f.stale : !f.stale && f.status === status;
    return (
      <a class={on ? "on" : undefined} href={tasksHref(f, { status, stale: !!stale })}>
        {label}
      </a>
    );
  };
  const failedOfStream = f.stream !== undefined && f.status === "failed" && !f.stale;
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
          {failedOfStream
            ? (
              <a
                class="btn"
                id="requeue-failed"
                href={`/streams/${encodeURIComponent(f.stream!)}/requeue-failed`}
              >
                Requeue failed tasks…
              </a>
            )
            : null}
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
          <label class="field search">
            <span>Search</span>
            <input
              name="q"
              type="search"
              value={f.search ?? ""}
              placeholder="ID prefix or words"
              title="A task ID prefix (tsk_3f2a…), or words of a summary, an error or a payload; word* for a prefix"
              maxlength={200}
            />
          </label>
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
            <span>Per page</span>
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
        {f.search !== undefined
          ? (
            <div class="search-note muted small" id="search-note">
              Tasks matching <b>{f.search}</b>{" "}
              (by ID prefix, or in summary, error and payload), newest first.{" "}
              <a href={tasksHref({ ...f, search: undefined })}>Clear search</a>
            </div>
          )
          : null}
        <TaskTable tasks={tasks} id="tasks-table" />
        <nav class="card-foot pager" id="tasks-pager" aria-label="pages" data-live="">
          <span class="faint" id="tasks-count">
            {tasks.length} task{tasks.length === 1 ? "" : "s"} on this page
          </span>
          <span class="spacer"></span>
          {paged ? <a class="btn btn-sm" href={tasksHref(f)}>Newest</a> : null}
          {page.prev
            ? (
              <a class="btn btn-sm" rel="prev" href={tasksHref(f, { after: page.prev })}>
                ← Newer
              </a>
            )
            : <span class="btn btn-sm disabled" aria-disabled="true">← Newer</span>}
          {page.next
            ? (
              <a class="btn btn-sm" rel="next" href={tasksHref(f, { before: page.next })}>
                Older →
              </a>
            )
            : <span class="btn btn-sm disabled" aria-disabled="true">Older →</span>}
        </nav>
      </section>
    </>
  );
}
