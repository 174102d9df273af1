/**
 * The confirmation step of a bulk requeue (SPEC §12.3): what requeueing a stream's failed
 * tasks will do (how many copies, how many are skipped because they were requeued
 * already), the newest of them, and a form whose button only submits once the box
 * saying so is ticked. The form posts to `POST /api/streams/:name/requeue-failed`.
 */
import type { TaskListItem } from "../../core/schemas.ts";
import { Empty, TaskTable } from "../components.tsx";
import { href } from "../format.ts";

/** What the page shows. */
export interface RequeueFailedData {
  stream: string;
  active: boolean;
  /** Failed tasks with no copy yet: each gets one. */
  fresh: number;
  /** Failed tasks that have a copy already: skipped. */
  copied: number;
  /** The newest failed tasks of the stream. */
  newest: TaskListItem[];
}

/** The confirmation page body. */
export function RequeueFailedPage(props: { d: RequeueFailedData }) {
  const d = props.d;
  const failedList = href("/tasks", { stream: d.stream, status: "failed" });
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>
            Requeue failed tasks <span class="muted">· {d.stream}</span>
          </h1>
          <p>
            Each failed task of the stream that has not been requeued yet gets one new queued copy
            (same tool, payload and timeout, linked to it by requeued_from). The failed tasks stay
            as they are; nothing else changes.
          </p>
        </div>
        <div class="actions">
          <a class="btn" href={failedList}>Back to the failed tasks</a>
        </div>
      </div>
      <section class="card card-body spaced" id="requeue-summary">
        {!d.active
          ? (
            <Empty
              title={`Stream '${d.stream}' is ended`}
              text="It takes no new tasks; requeue single tasks into another stream from their pages."
            />
          )
          : d.fresh === 0
          ? (
            <Empty
              title="Nothing to requeue"
              text={d.copied
                ? `All ${
                  plural(d.copied, "failed task has", "failed tasks have")
                } been requeued already.`
                : "This stream has no failed tasks."}
            />
          )
          : (
            <form
              class="confirm"
              id="requeue-failed-form"
              data-api={`/api/streams/${encodeURIComponent(d.stream)}/requeue-failed`}
              data-then={href("/tasks", { stream: d.stream, status: "queued" })}
              data-ok="Requeued."
              data-toast=""
            >
              <p class="confirm-what">
                <b id="requeue-count">{plural(d.fresh, "copy", "copies")}</b> will be queued in{" "}
                <b>{d.stream}</b>
                {d.copied
                  ? `; ${
                    plural(d.copied, "failed task is", "failed tasks are")
                  } skipped (requeued already).`
                  : "."}
              </p>
              <label class="check">
                <input type="checkbox" id="requeue-confirm" required />
                <span>
                  Yes, queue {plural(d.fresh, "copy", "copies")} of the failed tasks of {d.stream}
                </span>
              </label>
              <div class="actions">
                <button class="btn btn-primary" type="submit" id="requeue-submit">
                  Requeue {plural(d.fresh, "task", "tasks")}
                </button>
                <a class="btn" href={failedList}>Cancel</a>
              </div>
              <div class="form-msg"></div>
            </form>
          )}
      </section>
      <section class="card">
        <div class="card-head">
          <h2>Newest failed tasks</h2>
          <a class="small" href={failedList}>All of them</a>
        </div>
        <TaskTable tasks={d.newest} id="requeue-newest" />
      </section>
    </>
  );
}
