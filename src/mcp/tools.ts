/**
 * The MCP tools (SPEC §12.2): fixed names, input schemas (zod, listed as JSON Schema)
 * and one engine call each. Every answer is the JSON the CLI prints with `--json`
 * (a reported task's outputs bounded as `task --json` bounds them);
 * listings are wrapped in an object (`{"streams": […]}`, `{"tasks": […]}`) because
 * structured content must be an object, and a claim is `{"task": … | null}`.
 * Descriptions are short on purpose: agents pay for `tools/list` in tokens.
 */
import { z } from "zod";
import {
  LIFECYCLE_STATUSES,
  TASK_LIST_DEFAULT,
  TASK_LIST_MAX,
  TASK_STATUSES,
} from "../core/constants.ts";
import { usageError } from "../core/errors.ts";
import { readNamedFile } from "../config/user_file.ts";
import type { Project } from "../engine/project.ts";
import { heartbeat } from "../engine/heartbeat.ts";
import { claim, complete, enqueue, fail, getTask, listTasks, requeue } from "../engine/queue.ts";
import { listStreams } from "../engine/streams.ts";
import { parseTaskQuery } from "../engine/task_query.ts";
import { tailOf } from "../engine/task_view.ts";
import { claimWhenReady } from "../watcher/claim_wait.ts";

/** What the tools run against: the project and how this server was started. */
export interface McpEnv {
  /** The open project (read per call: the HTTP server swaps its config on reload). */
  project(): Project;
  /** `sparkq mcp --stream S`: the stream a call without `stream` means. */
  defaultStream?: string;
  /** The folder relative `stdout_file` / `stderr_file` paths resolve against. */
  cwd: string;
  /** The `sparkq status --json` answer. */
  status(): Promise<Record<string, unknown>>;
  /** Aborted when the server shuts down: waiting claims give up. */
  closing?: AbortSignal;
}

/** What one call may use besides its arguments. */
export interface CallContext {
  /** Aborted when the client cancels the call or the server stops. */
  signal: AbortSignal;
  /** Tells the caller something it should know (an output cut to the 8 MiB cap). */
  warn(message: string): void;
}

/** One tool: name, description, input schema and what it does. */
export interface ToolDef {
  name: string;
  description: string;
  input: z.ZodObject;
  run(env: McpEnv, args: Record<string, unknown>, call: CallContext): Promise<object> | object;
}

/** The longest `wait_seconds` of a claim. */
export const MAX_WAIT_SECONDS = 300;

const id = z.string().describe("task ID");
const stream = z.string().describe("stream name (default: the server's --stream)");
const outputs = {
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  stdout_file: z.string().optional().describe("read stdout from this file"),
  stderr_file: z.string().optional().describe("read stderr from this file"),
};
const result = z.record(z.string(), z.unknown());

function def<S extends z.ZodRawShape>(
  name: string,
  description: string,
  shape: S,
  run: (
    env: McpEnv,
    args: z.infer<z.ZodObject<S>>,
    call: CallContext,
  ) => Promise<object> | object,
): ToolDef {
  return {
    name,
    description,
    input: z.strictObject(shape),
    run: run as ToolDef["run"],
  };
}

/** The stream a call means: its own `stream`, else the server's `--stream`. */
function streamOf(env: McpEnv, given: string | undefined): string {
  const s = given || env.defaultStream;
  if (!s) throw usageError("'stream' is required (this server has no --stream default)");
  return s;
}

/** Reads `stdout`/`stderr` or their `_file` variants (both at once is refused). */
async function readOutputs(
  env: McpEnv,
  a: { stdout?: string; stderr?: string; stdout_file?: string; stderr_file?: string },
): Promise<{ stdout?: string; stderr?: string }> {
  const one = async (name: "stdout" | "stderr") => {
    const text = a[name];
    const file = a[`${name}_file`];
    if (text !== undefined && file !== undefined) {
      throw usageError(`give '${name}' or '${name}_file', not both`);
    }
    return file === undefined ? text : await readNamedFile(env.cwd, file, name);
  };
  return { stdout: await one("stdout"), stderr: await one("stderr") };
}

/**
 * A reported task as `task --json` shows it: the last 64 KiB of each output and the bytes
 * left out. The agent just sent those outputs; echoing megabytes back costs it tokens
 * (and a client's message size limit).
 */
function bounded<T extends { stdout: string | null; stderr: string | null }>(task: T) {
  const stdout = tailOf(task.stdout);
  const stderr = tailOf(task.stderr);
  return {
    ...task,
    stdout: stdout.text,
    stderr: stderr.text,
    stdout_omitted_bytes: stdout.omitted,
    stderr_omitted_bytes: stderr.omitted,
  };
}

/** Every tool, in the order `tools/list` shows them. */
export const TOOLS: ToolDef[] = [
  def(
    "sparkq_status",
    "Server, sessions, streams with task counts.",
    {},
    (env) => env.status(),
  ),
  def(
    "sparkq_list_streams",
    "Streams with instructions and task counts.",
    { session: z.string().optional(), status: z.enum(LIFECYCLE_STATUSES).optional() },
    (env, a) => ({ streams: listStreams(env.project(), a) }),
  ),
  def(
    "sparkq_enqueue",
    "Queue a task for a registered tool; returns the task.",
    {
      stream: stream.optional(),
      tool: z.string().describe("a tool of sparkq.yml, e.g. run-bash"),
      payload: result.describe("JSON object"),
      timeout: z.int().positive().optional().describe("seconds; default: the tool's"),
    },
    (env, a) =>
      enqueue(env.project(), {
        stream: streamOf(env, a.stream),
        tool: a.tool,
        payload: a.payload,
        timeout: a.timeout,
      }),
  ),
  def(
    "sparkq_claim",
    "Claim the stream's oldest queued task; it is then running and yours. " +
      '{"task": null} if none came within wait_seconds.',
    {
      stream: stream.optional(),
      wait_seconds: z.int().min(0).max(MAX_WAIT_SECONDS).optional().describe(
        "wait this long for a task (default 0)",
      ),
    },
    async (env, a, { signal }) => {
      const name = streamOf(env, a.stream);
      const wait = a.wait_seconds ?? 0;
      const task = wait > 0
        ? (await claimWhenReady(env.project(), name, wait * 1000, { signal, handover: (t) => t }))
          ?.task
        : claim(env.project(), name);
      return { task: task ?? null };
    },
  ),
  def(
    "sparkq_heartbeat",
    "Say your running task is alive (restarts its stale and auto-fail clock); note goes to its progress log.",
    { id, note: z.string().optional() },
    (env, a) => heartbeat(env.project(), a.id, { note: a.note }),
  ),
  def(
    "sparkq_complete",
    "Report your running task succeeded.",
    {
      id,
      summary: z.string().describe("one line for the reviewer"),
      result: result.optional().describe("more facts (JSON object)"),
      ...outputs,
    },
    async (env, a, { warn }) =>
      bounded(complete(env.project(), a.id, {
        result: { ...a.result, summary: a.summary },
        ...await readOutputs(env, a),
      }, { warn })),
  ),
  def(
    "sparkq_fail",
    "Report your running task failed.",
    { id, error: z.string().describe("what went wrong"), result: result.optional(), ...outputs },
    async (env, a, { warn }) =>
      bounded(fail(
        env.project(),
        a.id,
        { error: a.error, result: a.result, ...await readOutputs(env, a) },
        { warn },
      )),
  ),
  def(
    "sparkq_get_task",
    "One task with its stream's instructions.",
    { id, full: z.boolean().optional().describe("whole outputs, not the last 64 KiB") },
    (env, a) => getTask(env.project(), a.id, { full: a.full }),
  ),
  def(
    "sparkq_list_tasks",
    "Tasks, newest first, without outputs.",
    {
      stream: stream.optional(),
      status: z.enum(TASK_STATUSES).optional(),
      stale: z.boolean().optional().describe("only running tasks past their timeout"),
      limit: z.int().min(1).max(TASK_LIST_MAX).optional().describe(`default ${TASK_LIST_DEFAULT}`),
    },
    (env, a) => ({
      tasks: listTasks(
        env.project(),
        parseTaskQuery({ ...a, stream: a.stream ?? env.defaultStream }),
      ),
    }),
  ),
  def(
    "sparkq_requeue",
    "Queue a copy of a failed task; returns the copy.",
    { id, stream: z.string().optional().describe("put the copy here (default: same stream)") },
    (env, a) => requeue(env.project(), a.id, { stream: a.stream }),
  ),
];
