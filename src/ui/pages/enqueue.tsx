/** The enqueue form: stream and tool dropdowns, payload pre-filled per tool, script autocomplete. */
import type { ResolvedTool } from "../../engine/tools.ts";
import type { StreamListItem, TaskListItem } from "../../core/schemas.ts";
import type { ScriptEntry } from "../../engine/script_index.ts";
import { Empty, TaskList } from "../components.tsx";
import { href, pretty, seconds } from "../format.ts";

/** What the enqueue page shows. */
export interface EnqueueData {
  streams: StreamListItem[];
  tools: ResolvedTool[];
  scripts: ScriptEntry[];
  recent: TaskListItem[];
  stream?: string;
  tool?: string;
}

/** The payload a tool's form starts with: scripts get a path and args, LLM tools a prompt. */
export function payloadTemplate(tool: ResolvedTool): string {
  if (tool.task_class === "FAST_SCRIPT" || tool.task_class === "MEDIUM_SCRIPT") {
    return pretty({ script_path: "", args: [] });
  }
  return pretty({ prompt: "" });
}

/** What the tool's payload rules ask for, in a few words (empty without rules). */
function rulesNote(tool: ResolvedTool): string {
  if (!tool.payload) return "";
  const required = Array.isArray(tool.payload.required) ? tool.payload.required : [];
  return required.length
    ? ` · payload rules: requires ${required.join(", ")}`
    : " · payload rules (sparkq tools --json shows them)";
}

/** The enqueue page body. */
export function EnqueuePage(props: { d: EnqueueData }) {
  const { streams, tools, scripts, stream } = props.d;
  const first = tools.find((t) => t.name === props.d.tool) ?? tools[0];
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Enqueue a task</h1>
          <p>The stream's worker claims it in order and reports a result with a summary.</p>
        </div>
      </div>
      <div class="grid grid-side">
        <section class="card">
          <div class="card-head">
            <h2>New task</h2>
          </div>
          {streams.length === 0
            ? (
              <Empty
                title="No active stream"
                text={<a href="/streams">Create a stream first.</a>}
              />
            )
            : (
              <form
                class="card-body fields"
                id="enqueue-form"
                data-api="/api/tasks"
                data-then="refresh"
                data-ok="Queued"
                data-toast=""
              >
                <div class="fields-2">
                  <label class="field">
                    <span>Stream</span>
                    <select name="stream" required>
                      {streams.map((s) => (
                        <option value={s.name} selected={s.name === stream}>
                          {`${s.name} (${s.session_name}) · ${s.counts.queued} queued`}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="field">
                    <span>Tool</span>
                    <select name="tool_name" required>
                      {tools.map((t) => (
                        <option
                          value={t.name}
                          selected={t === first}
                          data-template={payloadTemplate(t)}
                          data-timeout={String(t.timeout)}
                          data-info={`${t.description || t.name} · ${t.task_class} · timeout ${
                            seconds(t.timeout)
                          }${rulesNote(t)}`}
                        >
                          {t.name}
                        </option>
                      ))}
                    </select>
                    <span class="hint" id="tool-info"></span>
                  </label>
                </div>
                <label class="field">
                  <span>
                    Script{" "}
                    <span class="hint">
                      {scripts.length
                        ? `autocomplete from ${scripts.length} indexed script${
                          scripts.length === 1 ? "" : "s"
                        }; sets payload.script_path`
                        : "no scripts indexed (see 'sparkq scripts')"}
                    </span>
                  </span>
                  <input
                    id="script-path"
                    list="scripts"
                    placeholder="scripts/…"
                    autocomplete="off"
                  />
                  <datalist id="scripts">
                    {scripts.map((s) => (
                      <option
                        value={s.path}
                        data-name={s.name}
                        data-description={s.description}
                        data-inputs={s.inputs}
                        data-outputs={s.outputs}
                      >
                        {`${s.name} — ${s.description}`}
                      </option>
                    ))}
                  </datalist>
                  <div class="script-info" id="script-info"></div>
                </label>
                <label class="field">
                  <span>
                    Payload <span class="hint">a JSON object</span>
                  </span>
                  <textarea name="payload" data-kind="json" rows={9} spellcheck={false}>
                    {first ? payloadTemplate(first) : "{}"}
                  </textarea>
                </label>
                <label class="field w-240">
                  <span>
                    Timeout override <span class="hint">seconds</span>
                  </span>
                  <input
                    name="timeout"
                    type="number"
                    min="1"
                    step="1"
                    data-kind="int"
                    placeholder={first ? `default ${first.timeout} s` : ""}
                  />
                </label>
                <div class="form-msg"></div>
                <div>
                  <button class="btn btn-primary" type="submit">Enqueue task</button>
                </div>
              </form>
            )}
        </section>
        <div class="stack">
          <section class="card">
            <div class="card-head">
              <h2>Queued{stream ? ` in ${stream}` : ""}</h2>
              <a class="small" href={href("/tasks", { status: "queued", stream })}>View all</a>
            </div>
            <div id="enqueue-recent" data-live="">
              <TaskList tasks={props.d.recent} empty="Nothing queued" />
            </div>
          </section>
          <section class="card">
            <div class="card-head">
              <h2>Tools</h2>
            </div>
            <div class="card-body">
              <dl class="kv">
                {tools.map((t) => (
                  <>
                    <dt>
                      <b>{t.name}</b>
                      <div class="faint small">{t.description}</div>
                    </dt>
                    <dd class="small muted">
                      {t.task_class}
                      <div>{seconds(t.timeout)}</div>
                    </dd>
                  </>
                ))}
              </dl>
            </div>
          </section>
        </div>
      </div>
    </>
  );
}
