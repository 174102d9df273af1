/** Streams: the list with counts and instructions, ending one, and the create form. */
import type { SessionListItem, StreamListItem } from "../../core/schemas.ts";
import { CountBar, CountPills, Empty, NameField, Pill, PostButton } from "../components.tsx";
import { clip, href } from "../format.ts";

/** The streams page body. */
export function StreamsPage(
  props: { streams: StreamListItem[]; sessions: SessionListItem[]; session?: string },
) {
  const active = props.sessions.filter((s) => s.status === "active");
  const rows = [...props.streams].sort((a, b) =>
    (a.status === b.status ? 0 : a.status === "active" ? -1 : 1) ||
    b.created_at.localeCompare(a.created_at)
  );
  return (
    <>
      <div class="page-head">
        <div>
          <h1>
            Streams{props.session ? <span class="muted">{` · ${props.session}`}</span> : null}
          </h1>
          <p>One stream per worker: tasks in a stream run in order, streams run side by side.</p>
        </div>
      </div>
      <div class="grid grid-side">
        <section class="card" id="streams-card" data-live="">
          <div class="card-head">
            <h2>
              {props.session ? `Streams of ${props.session}` : "All streams"}
              <span class="count">{props.streams.length}</span>
            </h2>
            {props.session ? <a class="small" href="/streams">Show all</a> : null}
          </div>
          <div class="table-wrap" id="streams-table">
            {rows.length === 0
              ? <Empty title="No streams yet" text="Create one with the form." />
              : (
                <table>
                  <thead>
                    <tr>
                      <th>Stream</th>
                      <th>Status</th>
                      <th>Tasks</th>
                      <th>Instructions</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((s) => (
                      <tr data-stream={s.name}>
                        <td>
                          <a href={href("/", { stream: s.name })}>
                            <b>{s.name}</b>
                          </a>
                          <div class="sub">{s.session_name}</div>
                        </td>
                        <td>
                          <Pill status={s.status} />
                        </td>
                        <td>
                          <a href={href("/tasks", { stream: s.name })}>
                            <CountPills counts={s.counts} />
                          </a>
                          <CountBar counts={s.counts} />
                        </td>
                        <td>
                          {s.instructions
                            ? (
                              <div class="preview" title={clip(s.instructions, 600)}>
                                {clip(s.instructions, 220)}
                              </div>
                            )
                            : <span class="faint small">none</span>}
                        </td>
                        <td>
                          <div class="actions">
                            {s.status === "active"
                              ? (
                                <>
                                  <a
                                    class="btn btn-sm"
                                    href={href("/enqueue", { stream: s.name })}
                                  >
                                    Enqueue
                                  </a>
                                  <PostButton
                                    url={`/api/streams/${encodeURIComponent(s.name)}/end`}
                                    label="End"
                                    ok={`Ended stream ${s.name}`}
                                    confirm={`End stream '${s.name}'? Its queued tasks will never be claimed.`}
                                    danger
                                  />
                                </>
                              )
                              : null}
                          </div>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
          </div>
        </section>
        <section class="card">
          <div class="card-head">
            <h2>New stream</h2>
          </div>
          <form
            class="card-body fields"
            id="stream-form"
            data-api="/api/streams"
            data-then="reset"
            data-ok="Stream created."
          >
            <NameField placeholder="auth" />
            <label class="field">
              <span>Session</span>
              <select name="session" required id="stream-session" data-live="">
                {active.length === 0 ? <option value="">No active session</option> : null}
                {active.map((s) => (
                  <option value={s.name} selected={s.name === props.session}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span>
                Instructions <span class="hint">optional, for the agent working this stream</span>
              </span>
              <textarea
                name="instructions"
                data-optional=""
                rows={6}
                placeholder="Implement JWT auth. Run the tests before completing."
              >
              </textarea>
            </label>
            <div class="form-msg"></div>
            <div>
              <button class="btn btn-primary" type="submit">Create stream</button>
            </div>
          </form>
        </section>
      </div>
    </>
  );
}
