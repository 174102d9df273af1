/**
 * The queue rules (SPEC §5), in one place: enqueue, peek, FIFO atomic claim, complete
 * and fail guarded by state, listings with stale marks, task detail, requeue, purge.
 * The CLI, the HTTP API and the watcher call these; none of them holds a rule.
 */
import { SparkqError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { TASK_LIST_DEFAULT } from "../core/constants.ts";
import type {
  ClaimedTask,
  Task,
  TaskDetail,
  TaskListItem,
  TaskRow,
  TaskShow,
} from "../core/schemas.ts";
import { getStream } from "../storage/streams.ts";
import * as store from "../storage/tasks.ts";
import { setCacheSize, setForeignKeys } from "../storage/maintenance.ts";
import { failDeadTasks } from "./autofail.ts";
import { type EngineContext, nowMs, nowStamp } from "./context.ts";
import {
  capOutputs,
  finishReport,
  noSuchTask,
  type Outputs,
  type ReportOptions,
} from "./reports.ts";
import { projectPaths } from "./project.ts";
import { syncSearch } from "./search.ts";
import { requireStream } from "./streams.ts";
import { type BoundedRow, boundedRow, OUTPUT_TAIL_BYTES } from "./task_view.ts";
import { toTask } from "./task_json.ts";
import { type Cursor, searchTerms, type TaskQuery } from "./task_query.ts";
import { isStale } from "./timing.ts";
import { requireTool, taskTimeout } from "./tools.ts";
import { checkPayloadRules } from "./payload_rules.ts";
import {
  checkJsonLimits,
  requireErrorMessage,
  requireHandover,
  requireObject,
  requireResult,
} from "./validate.ts";

export { toTask } from "./task_json.ts";
export type { Outputs, ReportOptions } from "./reports.ts";

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
  // Concurrent: beside other writers on PostgreSQL. Its one write is the guarded claim
  // (which skips rows other claims hold and waits out a stream being ended); the rest
  // only reads.
  const claimed = ctx.db.write(() => {
    const stream = requireStream(ctx, streamName, { active: "its tasks are never claimed" });
    const row = store.claimQueued(ctx.db, stream.id, nowStamp(ctx));
    if (!row) return undefined;
    requireHandover(row.id, row.payload);
    const task: ClaimedTask = { ...withStream(ctx, row), project: projectPaths(ctx) };
    return { task, out: handover ? handover(task) : JSON.stringify(task) };
  }, { concurrent: true });
  if (!claimed) return undefined;
  return handover ? claimed as { task: TaskDetail; out: T } : claimed.task;
}

/** Marks a running task succeeded. The result must be an object with a summary. */
export function complete(
  ctx: EngineContext,
  id: string,
  input: { result: unknown } & Outputs,
  options: ReportOptions = {},
): Task {
  const result = checkJsonLimits(requireResult(input.result), "result");
  return finishReport(ctx, id, "complete", {
    status: "succeeded",
    result,
    error: null,
    ...capOutputs(input, options.warn),
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
  options: ReportOptions = {},
): Task {
  const error = requireErrorMessage(input.error);
  const result = input.result === undefined || input.result === null
    ? null
    : checkJsonLimits(requireObject(input.result, "result"), "result");
  return finishReport(ctx, id, "fail", {
    status: "failed",
    result,
    error,
    ...capOutputs(input, options.warn),
  });
}

export type { TaskQuery } from "./task_query.ts";

/** How a listing shows tasks. */
export interface ListView {
  /** Include every task's stdout and stderr (left out by default: sizes only). */
  withOutput?: boolean;
}

/**
 * Tasks, newest first, each with its stream's name and a stale mark. Outputs are left
 * out unless `view.withOutput`; `stdout_bytes` and `stderr_bytes` give their sizes.
 */
export function listTasks(
  ctx: EngineContext,
  q: TaskQuery = {},
  view: ListView = {},
): TaskListItem[] {
  return listTaskEntries(ctx, q, view).map((e) => e.task);
}

/** A listed task and its place in the listing's order (what a page cursor holds). */
export interface ListEntry {
  task: TaskListItem;
  cursor: Cursor;
}

/**
 * `listTasks` with each task's place in the order: the filters, one page of them
 * (`q.before`/`q.after` a cursor) and a search (`q.search`: an ID prefix or words of a
 * summary, error or payload; its finds come newest first by insertion).
 */
export function listTaskEntries(
  ctx: EngineContext,
  q: TaskQuery = {},
  view: ListView = {},
): ListEntry[] {
  failDeadTasks(ctx);
  const streamId = q.stream ? requireStream(ctx, q.stream).id : undefined;
  const limit = q.limit ?? TASK_LIST_DEFAULT;
  const now = nowMs(ctx);
  let ids: string[] | undefined;
  if (q.stale) {
    if (q.status && q.status !== "running") return [];
    ids = store.listRunning(ctx.db, streamId).filter((t) => isStale(t, now)).map((t) => t.id);
  }
  const search = q.search === undefined ? undefined : searchTerms(q.search);
  if (q.search !== undefined && !search) return [];
  if (search?.match !== undefined) syncSearch(ctx);
  const rows = store.listTasks(ctx.db, {
    status: q.status,
    streamId,
    ids,
    before: q.before,
    after: q.after,
    search,
    limit,
    withOutput: view.withOutput,
  });
  return rows.map(({ row_key, ...row }) => ({
    task: {
      ...toTask(row),
      stdout_bytes: Number(row.stdout_bytes),
      stderr_bytes: Number(row.stderr_bytes),
      stale: isStale(row, now),
    },
    cursor: { created_at: row.created_at, rowid: Number(row_key) },
  }));
}

/** How a task's detail shows it. */
export interface ShowView {
  /** Every byte of the outputs (by default only their last 64 KiB). */
  full?: boolean;
}

/**
 * One task with its stream, the copies requeued from it and a stale mark; each output
 * cut to its last 64 KiB unless `view.full` (`stdout_omitted_bytes` and
 * `stderr_omitted_bytes` say how much was left out). Not-found error for an unknown ID.
 */
export function getTask(ctx: EngineContext, id: string, view: ShowView = {}): TaskShow {
  failDeadTasks(ctx);
  let row: BoundedRow | undefined;
  if (view.full) {
    const whole = store.getTask(ctx.db, id);
    if (whole) row = { ...whole, stdout_omitted_bytes: 0, stderr_omitted_bytes: 0 };
  } else {
    const tail = store.getTaskTail(ctx.db, id, OUTPUT_TAIL_BYTES);
    if (tail) row = boundedRow(tail);
  }
  if (!row) throw noSuchTask(id);
  const { stdout_omitted_bytes, stderr_omitted_bytes, ...task } = row;
  return {
    ...withStream(ctx, task),
    requeued_to: store.requeuedCopies(ctx.db, id),
    stale: isStale(task, nowMs(ctx)),
    stdout_omitted_bytes,
    stderr_omitted_bytes,
  };
}

/**
 * Queues a copy of a failed task (new ID, same tool, class, payload and timeout,
 * attempts 0, `requeued_from` = the original) in the same stream or `stream`; the
 * original stays as history. A task stranded queued in an ended stream is moved the
 * same way into `stream`: the original becomes failed with `Moved to stream S as <id>`.
 */
export function requeue(ctx: EngineContext, id: string, options: { stream?: string } = {}): Task {
  failDeadTasks(ctx);
  return ctx.db.write(() => {
    const original = store.getTask(ctx.db, id);
    if (!original) throw noSuchTask(id);
    const home = getStream(ctx.db, original.stream_id)!;
    const stranded = original.status === "queued" && home.status !== "active";
    if (original.status !== "failed" && !stranded) {
      throw new SparkqError(
        `cannot requeue task ${id}: it is ${original.status}; only failed tasks (and tasks left queued in an ended stream) are requeued`,
        { code: "invalid", status: 409 },
      );
    }
    if (!options.stream && home.status !== "active") {
      throw new SparkqError(
        stranded
          ? `cannot requeue task ${id}: it is queued in stream '${home.name}', which is ended`
          : `cannot requeue task ${id} into stream '${home.name}': the stream is ended`,
        { code: "stream_ended", hint: "pass --stream OTHER to put the copy in an active stream" },
      );
    }
    const target = options.stream
      ? requireStream(ctx, options.stream, { active: "it takes no new tasks" })
      : home;
    const copy = insertQueued(ctx, {
      stream_id: target.id,
      tool_name: original.tool_name,
      task_class: original.task_class,
      payload: original.payload,
      timeout: original.timeout,
      requeued_from: original.id,
    });
    if (stranded) {
      store.failQueued(ctx.db, id, movedMessage(target.name, copy.id), nowStamp(ctx));
    }
    return copy;
  });
}

/** What a bulk requeue of a stream's failed tasks did. */
export interface RequeuedFailed {
  stream: string;
  /** The copies made, one per failed task that had none, oldest original first. */
  requeued: Task[];
  /** Failed tasks left alone because a copy of them exists already. */
  skipped: number;
}

/**
 * Requeues every failed task of an active stream that has no copy yet, in one write
 * transaction: one copy each (as `requeue` makes it, `requeued_from` = the original) in
 * the same stream, and nothing else changes. A failed task that already has a copy (in
 * any state) is skipped, so running it twice never doubles work; a copy that failed too
 * is itself a failed task without a copy, and the next bulk requeue takes it.
 */
export function requeueFailed(ctx: EngineContext, streamName: string): RequeuedFailed {
  failDeadTasks(ctx);
  return ctx.db.write(() => {
    const stream = requireStream(ctx, streamName, {
      active: "its failed tasks cannot be requeued into it",
    });
    const { copied } = store.countFailedCopies(ctx.db, stream.id);
    const requeued = store.failedWithoutCopy(ctx.db, stream.id).map((original) =>
      insertQueued(ctx, {
        stream_id: stream.id,
        tool_name: original.tool_name,
        task_class: original.task_class,
        payload: original.payload,
        timeout: original.timeout,
        requeued_from: original.id,
      })
    );
    return { stream: stream.name, requeued, skipped: copied };
  });
}

/** How many of a stream's failed tasks a bulk requeue would copy, and how many it skips. */
export function failedToRequeue(
  ctx: EngineContext,
  streamName: string,
): { stream: string; active: boolean; fresh: number; copied: number } {
  failDeadTasks(ctx);
  const stream = requireStream(ctx, streamName);
  return {
    stream: stream.name,
    active: stream.status === "active",
    ...store.countFailedCopies(ctx.db, stream.id),
  };
}

/** The error of a queued task moved out of its ended stream. */
export function movedMessage(stream: string, newId: string): string {
  return `Moved to stream ${stream} as ${newId}`;
}

/**
 * How many finished tasks one purge step deletes (a short write lock: each deleted row
 * also leaves the search index and the counts, about 0.25 s per step on 2 cores).
 */
export const PURGE_BATCH = 10_000;

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
    if (
      store.canPurgeByKeeping(ctx.db) && purgeable > 0 && purgeable * 2 >= total &&
      total - purgeable <= REBUILD_MAX_KEPT
    ) {
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
