/**
 * The data model as zod schemas; every type SparkQ uses for a row or a JSON answer
 * is derived from these. Hot CLI code imports the types only (`import type`), so
 * zod is loaded just where a value is validated (config, API bodies).
 */
import { z } from "zod";
import {
  DEFAULT_CLASS_TIMEOUTS,
  LIFECYCLE_STATUSES,
  NAME_PATTERN,
  TASK_CLASSES,
  TASK_STATUSES,
} from "./constants.ts";

/** ISO 8601 UTC timestamp with a Z suffix. */
export const Timestamp = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
/** A session or stream name. */
export const Name = z.string().regex(NAME_PATTERN);
/** A task class. */
export const TaskClassSchema = z.enum(TASK_CLASSES);
/** A task state. */
export const TaskStatusSchema = z.enum(TASK_STATUSES);
/** A session or stream state. */
export const LifecycleStatusSchema = z.enum(LIFECYCLE_STATUSES);
/** A JSON object (payloads and results). */
export const JsonObject = z.record(z.string(), z.unknown());

/** Default timeouts per task class, as a schema with defaults. */
export const TaskClassDefaultsSchema = z.object({
  FAST_SCRIPT: z.int().positive().default(DEFAULT_CLASS_TIMEOUTS.FAST_SCRIPT),
  MEDIUM_SCRIPT: z.int().positive().default(DEFAULT_CLASS_TIMEOUTS.MEDIUM_SCRIPT),
  LLM_LITE: z.int().positive().default(DEFAULT_CLASS_TIMEOUTS.LLM_LITE),
  LLM_HEAVY: z.int().positive().default(DEFAULT_CLASS_TIMEOUTS.LLM_HEAVY),
});

/** The single project row. */
export const ProjectSchema = z.object({
  id: z.string().regex(/^prj_[0-9a-f]{12}$/),
  name: z.string().min(1),
  repo_path: z.string().nullable(),
  prd_path: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
/** A project. */
export type Project = z.infer<typeof ProjectSchema>;

/** A session row. */
export const SessionSchema = z.object({
  id: z.string().regex(/^ses_[0-9a-f]{12}$/),
  project_id: z.string(),
  name: Name,
  description: z.string().nullable(),
  status: LifecycleStatusSchema,
  started_at: Timestamp,
  ended_at: Timestamp.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
/** A session. */
export type Session = z.infer<typeof SessionSchema>;

/** A stream row. */
export const StreamSchema = z.object({
  id: z.string().regex(/^str_[0-9a-f]{12}$/),
  session_id: z.string(),
  name: Name,
  instructions: z.string().nullable(),
  status: LifecycleStatusSchema,
  created_at: Timestamp,
  updated_at: Timestamp,
});
/** A stream. */
export type Stream = z.infer<typeof StreamSchema>;

/** A task row as stored: payload and result are JSON text. */
export const TaskRowSchema = z.object({
  id: z.string().regex(/^tsk_[0-9a-f]{12}$/),
  stream_id: z.string(),
  tool_name: z.string(),
  task_class: TaskClassSchema,
  payload: z.string(),
  status: TaskStatusSchema,
  timeout: z.int().positive(),
  attempts: z.int().nonnegative(),
  result: z.string().nullable(),
  error: z.string().nullable(),
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  started_at: Timestamp.nullable(),
  finished_at: Timestamp.nullable(),
  /** 1 when the auto-fail rule failed it (SPEC §5), else 0. */
  auto_failed: z.int(),
  heartbeat_at: Timestamp.nullable(),
  /** JSON text of the progress notes: `[{at, note}]`. */
  notes: z.string().nullable(),
  /** JSON text of a report that came after the auto-fail. */
  late_report: z.string().nullable(),
  requeued_from: z.string().nullable(),
});
/** A task as stored. */
export type TaskRow = z.infer<typeof TaskRowSchema>;

/** A task as every JSON output shows it: payload and result parsed. */
export const TaskSchema = TaskRowSchema.extend({
  payload: JsonObject,
  result: JsonObject.nullable(),
  auto_failed: z.boolean(),
  notes: z.array(z.object({ at: Timestamp, note: z.string() })),
  late_report: JsonObject.nullable(),
});
/** A task in JSON shape. */
export type Task = z.infer<typeof TaskSchema>;

/** The stream summary carried by a task detail and a claim. */
export const TaskStreamSchema = z.object({
  id: z.string(),
  name: Name,
  instructions: z.string().nullable(),
});
/** A task detail: the task plus its stream. */
export const TaskDetailSchema = TaskSchema.extend({ stream: TaskStreamSchema });
/** A task with its stream. */
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

/** Where a claimed task's work happens: the project and its paths, absolute. */
export const TaskProjectSchema = z.object({
  name: z.string(),
  repo_path: z.string().nullable(),
  prd_path: z.string().nullable(),
});
/** A claimed task (claim, wait, API and MCP claim): the task, its stream and project. */
export const ClaimedTaskSchema = TaskDetailSchema.extend({ project: TaskProjectSchema });
/** A claimed task. */
export type ClaimedTask = z.infer<typeof ClaimedTaskSchema>;

/**
 * A task as `task <id>` and `GET /api/tasks/:id` show it: the detail, the copies
 * requeued from it, whether it is stale, and how many bytes at the start of each output
 * were left out (the view keeps the last 64 KiB unless the full output is asked for).
 */
export const TaskShowSchema = TaskDetailSchema.extend({
  requeued_to: z.array(z.string()),
  stale: z.boolean(),
  stdout_omitted_bytes: z.int().nonnegative(),
  stderr_omitted_bytes: z.int().nonnegative(),
});
/** A task as shown in detail. */
export type TaskShow = z.infer<typeof TaskShowSchema>;

/** The answer of a heartbeat: when it was taken and the task's new deadlines. */
export const HeartbeatSchema = z.object({
  id: z.string(),
  heartbeat_at: Timestamp,
  stale_at: Timestamp,
  auto_fail_at: Timestamp,
});
/** The answer of a heartbeat. */
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/**
 * A task in a listing: the task plus its stream's name and whether it is stale. The
 * outputs are left out (present only when asked for) and their sizes carried instead;
 * a late report's outputs likewise.
 */
export const TaskListItemSchema = TaskSchema.extend({
  stdout: z.string().nullable().optional(),
  stderr: z.string().nullable().optional(),
  stdout_bytes: z.int().nonnegative(),
  stderr_bytes: z.int().nonnegative(),
  stream_name: Name,
  stale: z.boolean(),
});
/** A listed task. */
export type TaskListItem = z.infer<typeof TaskListItemSchema>;

/** Per-stream task counts. */
export const CountsSchema = z.object({
  queued: z.int(),
  running: z.int(),
  stale: z.int(),
  succeeded: z.int(),
  failed: z.int(),
});
/** Task counts by state. */
export type Counts = z.infer<typeof CountsSchema>;

/** A stream with its session name and counts, as listings show it. */
export const StreamListItemSchema = StreamSchema.extend({
  session_name: Name,
  counts: CountsSchema,
});
/** A listed stream. */
export type StreamListItem = z.infer<typeof StreamListItemSchema>;

/** A session with its stream count, as listings show it. */
export const SessionListItemSchema = SessionSchema.extend({ stream_count: z.int() });
/** A listed session. */
export type SessionListItem = z.infer<typeof SessionListItemSchema>;
