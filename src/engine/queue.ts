/**
 * The queue rules (SPEC §5), in one place: enqueue, peek, FIFO atomic claim, complete
 * and fail guarded by state, listings with stale marks, task detail, requeue, purge.
 * The CLI, the HTTP API and the watcher call these; none of them holds a rule.
 */
import { conflict, notFound } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { TASK_LIST_DEFAULT } from "../core/constants.ts";
import type { Task, TaskDetail, TaskListItem, TaskRow } from "../core/schemas.ts";
import { getStream } from "../storage/streams.ts";
import * as store from "../storage/tasks.ts";
import { setCacheSize, setForeignKeys } from "../storage/maintenance.ts";
import { failDeadTasks } from "./autofail.ts";
import { type EngineContext, nowMs, nowStamp } from "./context.ts";
import { requireStream } from "./streams.ts";
import type { TaskQuery } from "./task_query.ts";
import { isAutoFailed, isStale } from "./timing.ts";
import { requireTool, taskTimeout } from "./tools.ts";
import { checkPayloadRules } from "./payload_rules.ts";
import {
  capOutput,
  checkJsonLimits,
  requireErrorMessage,
  requireHandover,
  requireObject,
  requireResult,
} from "./validate.ts";

/** Parses a stored row into the JSON shape (payload and result as objects). */
export function toTask(row: TaskRow): Task {
  return {
    ...row,
    timeout: Number(row.timeout),
    attempts: Number(row.attempts),
    payload: JSON.parse(row.payload),
    result: row.result === null ? null : JSON.parse(row.result),
    auto_failed: Number(row.auto_failed) === 1,
    notes: row.notes === null ? [] : JSON.parse(row.notes),
    late_report: row.late_report === null ? null : JSON.parse(row.late_report),
  };
}

/** A task with its stream's id, name and instructions. */
function withStream(ctx: EngineContext, row: TaskRow): TaskDetail {
  const s = getStream(ctx.db, row.stream_id)!;
  return { ...toTask(row), stream: { id: s.id, name: s.name, instructions: s.instructions } };
}

/** Inserts a new queued task (fresh ID, attempts 0, no outcome yet); call inside a write. */
function insertQueued(
  ctx: EngineContext,
  what:
    & Pick<TaskRow, "stream_id" | "tool_name" | "task_class" | "payload" | "timeout">
    & { requeued_from?: string },
): Task {
  const now = nowStamp(ctx);
  const row: TaskRow = { // the seed's column order: JSON output keeps it
    id: newId("tsk"),
    stream_id: what.stream_id,
    tool_name: what.tool_name,
    task_class: what.task_class,
    payload: what.payload,
    status: "queued",
    timeout: what.timeout,
    attempts: 0,
    result: null,
    error: null,
    stdout: null,
    stderr: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    auto_failed: 0,
    heartbeat_at: null,
    notes: null,
    late_report: null,
    requeued_from: what.requeued_from ?? null,
  };
  store.insertTask(ctx.db, row);
  return toTask(row);
}

/** Input of `enqueue`. */
export interface EnqueueInput {
  stream: string;
  tool: string;
  payload: unknown;
  timeout?: number | null;
}

/**
 * Queues a task in an active stream for a registered tool. Async because a tool that
 * declares payload rules has its payload checked by the lazily loaded validator.
 */
export async function enqueue(ctx: EngineContext, input: EnqueueInput): Promise<Task> {
  const tool = requireTool(ctx.config, input.tool);
  const object = requireObject(input.payload, "payload");
  const payload = checkJsonLimits(object, "payload");
  await checkPayloadRules(tool, object);
  const timeout = taskTimeout(tool, input.timeout);
  return ctx.db.write(() => {
    const stream = requireStream(ctx, input.stream, { active: "it takes no new tasks" });
    return insertQueued(ctx, {
      stream_id: stream.id,
      tool_name: tool.name,
      task_class: tool.task_class,
      payload,
      timeout,
    });
  });
}

/** The next queued task of a stream, unclaimed; undefined when there is none. */
export function peek(ctx: EngineContext, streamName: string): Task | undefined {
  failDeadTasks(ctx);
  const stream = requireStream(ctx, streamName);
  if (stream.status !== "active") return undefined;
  const row = store.peekQueued(ctx.db, stream.id);
  return row ? toTask(row) : undefined;
}

/**
 * Claims the oldest queued task of an active stream, atomically: exactly one caller
 * gets each task. Undefined when the stream has nothing queued.
 *
 * The task is handed over inside the claim's transaction: `handover` (the caller's
 * serialisation, JSON text by default) runs before the commit, so a task that cannot
 * be handed over (a payload too deep, written by an older SparkQ) stays queued.
 */
export function claim(ctx: EngineContext, streamName: string): TaskDetail | undefined;
export function claim<T>(
  ctx: EngineContext,
  streamName: string,
  handover: (task: TaskDetail) => T,
): { task: TaskDetail; out: T } | undefined;
export function claim<T>(
  ctx: EngineContext,
  streamName: string,
  handover?: (task: TaskDetail) => T,
): TaskDetail | { task: TaskDetail; out: T } | undefined {
  failDeadTasks(ctx);
  const claimed = ctx.db.write(() => {
    const stream = requireStream(ctx, streamName, { active: "its tasks are never claimed" });
    const row = store.claimQueued(ctx.db, stream.id, nowStamp(ctx));
    if (!row) return undefined;
    requireHandover(row.id, row.payload);
    const task = withStream(ctx, row);
    return { task, out: handover ? handover(task) : JSON.stringify(task) };
  });
  if (!claimed) return undefined;
  return handover ? claimed as { task: TaskDetail; out: T } : claimed.task;
}

/** Output a worker reports with complete or fail. */
export interface Outputs {
  stdout?: string | null;
  stderr?: string | null;
}

/** Marks a running task succeeded. The result must be an object with a summary. */
export function complete(
  ctx: EngineContext,
  id: string,
  input: { result: unknown } & Outputs,
): Task {
  const result = checkJsonLimits(requireResult(input.result), "result");
  return finish(ctx, id, "complete", {
    status: "succeeded",
    result,
    error: null,
    stdout: capOutput(input.stdout),
    stderr: capOutput(input.stderr),
  });
}

/**
 * Marks a running task failed with an error message, and optionally a result: a JSON
 * object of structured facts (no summary needed), kept in the result column.
 */
export function fail(
  ctx: EngineContext,
  id: string,
  input: { error: unknown; result?: unknown } & Outputs,
): Task {
  const error = requireErrorMessage(input.error);
  const result = input.result === undefined || input.result === null
    ? null
    : checkJsonLimits(requireObject(input.result, "result"), "result");
  return finish(ctx, id, "fail", {
    status: "failed",
    result,
    error,
    stdout: capOutput(input.stdout),
    stderr: capOutput(input.stderr),
  });
}

function finish(
  ctx: EngineContext,
  id: string,
  verb: "complete" | "fail",
  fields: Omit<store.Finish, "now">,
): Task {
  failDeadTasks(ctx);
  return ctx.db.write(() => {
    const changed = store.finishRunning(ctx.db, id, { ...fields, now: nowStamp(ctx) });
    const row = store.getTask(ctx.db, id);
    if (!row) throw notFound(`no task with ID '${id}'`, "list tasks with 'sparkq tasks'");
    if (!changed) throw notRunning(row, verb);
    return toTask(row);
  });
}

function notRunning(row: TaskRow, verb: string): Error {
  if (isAutoFailed(row)) {
    return conflict(
      `cannot ${verb} task ${row.id}: it was auto-failed at ${row.finished_at} (${row.error})`,
      `requeue it with 'sparkq requeue ${row.id}' to run it again`,
      "auto_failed",
    );
  }
  const hint = row.status === "queued"
    ? "claim it first with 'sparkq claim --stream …'"
    : row.status === "failed"
    ? `requeue it with 'sparkq requeue ${row.id}' to run it again`
    : undefined;
  return conflict(`cannot ${verb} task ${row.id}: it is ${row.status}, not running`, hint);
}

export type { TaskQuery } from "./task_query.ts";

/** Tasks, newest first, each with its stream's name and a stale mark. */
export function listTasks(ctx: EngineContext, q: TaskQuery = {}): TaskListItem[] {
  failDeadTasks(ctx);
  const streamId = q.stream ? requireStream(ctx, q.stream).id : undefined;
  const limit = q.limit ?? TASK_LIST_DEFAULT;
  const now = nowMs(ctx);
  let ids: string[] | undefined;
  if (q.stale) {
    if (q.status && q.status !== "running") return [];
    ids = store.listRunning(ctx.db, streamId).filter((t) => isStale(t, now)).map((t) => t.id);
  }
  return store.listTasks(ctx.db, { status: q.status, streamId, ids, limit }).map((row) => ({
    ...toTask(row),
    stream_name: row.stream_name,
    stale: isStale(row, now),
  }));
}

/** One task with its stream; not-found error when the ID is unknown. */
export function getTask(ctx: EngineContext, id: string): TaskDetail & { stale: boolean } {
  failDeadTasks(ctx);
  const row = store.getTask(ctx.db, id);
  if (!row) throw notFound(`no task with ID '${id}'`, "list tasks with 'sparkq tasks'");
  return { ...withStream(ctx, row), stale: isStale(row, nowMs(ctx)) };
}

/**
 * Queues a copy of a failed task (new ID, same tool, class, payload and timeout,
 * attempts 0) in the same stream or `stream`; the original stays as history.
 */
export function requeue(ctx: EngineContext, id: string, options: { stream?: string } = {}): Task {
  failDeadTasks(ctx);
  return ctx.db.write(() => {
    const original = store.getTask(ctx.db, id);
    if (!original) throw notFound(`no task with ID '${id}'`, "list tasks with 'sparkq tasks'");
    if (original.status !== "failed") {
      throw conflict(
        `cannot requeue task ${id}: it is ${original.status}; only failed tasks are requeued`,
      );
    }
    const streamId = options.stream
      ? requireStream(ctx, options.stream, { active: "it takes no new tasks" }).id
      : original.stream_id;
    if (!options.stream) {
      const s = getStream(ctx.db, streamId)!;
      if (s.status !== "active") {
        throw conflict(
          `cannot requeue task ${id} into stream '${s.name}': the stream is ended`,
          "pass --stream to put the copy in an active stream",
        );
      }
    }
    return insertQueued(ctx, {
      stream_id: streamId,
      tool_name: original.tool_name,
      task_class: original.task_class,
      payload: original.payload,
      timeout: original.timeout,
      requeued_from: original.id,
    });
  });
}

/** How many finished tasks one purge step deletes (a short write lock). */
export const PURGE_BATCH = 20_000;

/**
 * One step of `purge`: deletes up to `batch` succeeded or failed tasks that finished
 * more than `olderThanMs` ago; returns how many. A long-running caller (the server)
 * loops on this and yields between steps.
 */
export function purgeStep(ctx: EngineContext, olderThanMs: number, batch = PURGE_BATCH): number {
  const cutoff = new Date(nowMs(ctx) - olderThanMs).toISOString();
  return ctx.db.write(() => store.deleteFinishedBefore(ctx.db, cutoff, batch));
}

/** Page cache a bulk purge gives its connection, in MiB. */
const BULK_PURGE_CACHE_MIB = 256;
/** A bulk purge rebuilds the table when it keeps at most this many tasks. */
const REBUILD_MAX_KEPT = 100_000;

/** Options of `purge`. */
export interface PurgeOptions {
  /** Called with the running total as tasks are deleted. */
  onProgress?: (deleted: number) => void;
  /**
   * A user-requested purge. When at least half the tasks go and at most 100,000 stay,
   * the table is rebuilt from the survivors in one transaction (1M tasks: under 1 s,
   * against ~27 s row by row: every row deletion touches 11 b-trees, one of them keyed
   * by random IDs). Otherwise it deletes in batches with a bigger page cache. The
   * server's background purge uses small batches instead, to keep write locks short.
   */
  bulk?: boolean;
}

/**
 * Deletes succeeded and failed tasks that finished more than `olderThanMs` ago; never
 * touches queued or running tasks. Returns the count.
 */
export function purge(ctx: EngineContext, olderThanMs: number, options: PurgeOptions = {}): number {
  if (options.bulk) {
    const cutoff = new Date(nowMs(ctx) - olderThanMs).toISOString();
    const { total, purgeable } = store.countPurgeable(ctx.db, cutoff);
    if (purgeable > 0 && purgeable * 2 >= total && total - purgeable <= REBUILD_MAX_KEPT) {
      setForeignKeys(ctx.db, false);
      try {
        const n = ctx.db.write(() => store.purgeByKeeping(ctx.db, cutoff));
        options.onProgress?.(n);
        return n;
      } finally {
        setForeignKeys(ctx.db, true);
      }
    }
    setCacheSize(ctx.db, BULK_PURGE_CACHE_MIB);
  }
  let total = 0;
  for (;;) {
    const n = purgeStep(ctx, olderThanMs);
    total += n;
    if (n > 0) options.onProgress?.(total);
    if (n < PURGE_BATCH) return total;
  }
}

/** Streams that have queued tasks, with counts (for `claim` without `--stream`). */
export function streamsWithQueued(ctx: EngineContext): { name: string; queued: number }[] {
  return store.queuedPerStream(ctx.db).map((r) => ({ name: r.name, queued: Number(r.queued) }));
}
