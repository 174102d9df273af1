/** Sessions: the list, ending one, and the form to create one. */
import type { SessionListItem } from "../../core/schemas.ts";
import { Empty, NameField, Pill, PostButton, Time } from "../components.tsx";

/** The sessions page body. */
export function SessionsPage(props: { sessions: SessionListItem[] }) {
  const rows = [...props.sessions].reverse();
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Sessions</h1>
          <p>A session groups the streams of one piece of work. Ending it ends its streams.</p>
        </div>
      </div>
      <div class="grid grid-side">
        <section class="card" id="sessions-card" data-live="">
          <div class="card-head">
            <h2>
              All sessions<span class="count">{props.sessions.length}</span>
            </h2>
          </div>
          <div class="table-wrap" id="sessions-table">
            {rows.length === 0
              ? <Empty title="No sessions yet" text="Create the first one with the form." />
              : (
                <table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Status</th>
                      <th>Streams</th>
                      <th>Started</th>
                      <th>Ended</th>
                      <th>Description</th>
                      <th></th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((s) => (
                      <tr data-session={s.name}>
                        <td>
                          <b>{s.name}</b>
                        </td>
                        <td>
                          <Pill status={s.status} />
                        </td>
                        <td>
                          <a href={`/streams?session=${encodeURIComponent(s.name)}`}>
                            {s.stream_count}
                          </a>
                        </td>
                        <td class="nowrap">
                          <Time iso={s.started_at} />
                        </td>
                        <td class="nowrap">
                          <Time iso={s.ended_at} />
                        </td>
                        <td>
                          <div class="preview">{s.description ?? ""}</div>
                        </td>
                        <td>
                          <div class="actions">
                            <a
                              class="btn"
                              href={`/sessions/${encodeURIComponent(s.name)}/report`}
                            >
                              Report
                            </a>
                          </div>
                        </td>
                        <td>
                          {s.status === "active"
                            ? (
                              <div class="actions">
                                <PostButton
                                  url={`/api/sessions/${encodeURIComponent(s.name)}/end`}
                                  label="End"
                                  ok={`Ended session ${s.name}`}
                                  confirm={`End session '${s.name}' and all its streams?`}
                                  danger
                                />
                              </div>
                            )
                            : null}
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
            <h2>New session</h2>
          </div>
          <form
            class="card-body fields"
            id="session-form"
            data-api="/api/sessions"
            data-then="reset"
            data-ok="Session created."
          >
            <NameField placeholder="api-v2" />
            <label class="field">
              <span>
                Description <span class="hint">optional</span>
              </span>
              <input name="description" data-optional="" placeholder="What this work is about" />
            </label>
            <div class="form-msg"></div>
            <div>
              <button class="btn btn-primary" type="submit">Create session</button>
            </div>
          </form>
        </section>
      </div>
    </>
  );
}
