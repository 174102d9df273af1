/**
 * Plain constants of the data model. Kept free of imports so the hot CLI path can
 * use them without loading zod; `src/models/schemas.ts` builds the schemas from them.
 */

/** Task classes, in order of weight. */
export const TASK_CLASSES = ["FAST_SCRIPT", "MEDIUM_SCRIPT", "LLM_LITE", "LLM_HEAVY"] as const;
/** A task class name. */
export type TaskClass = typeof TASK_CLASSES[number];

/** Default timeout in seconds of each task class (overridable in sparkq.yml). */
export const DEFAULT_CLASS_TIMEOUTS: Readonly<Record<TaskClass, number>> = {
  FAST_SCRIPT: 30,
  MEDIUM_SCRIPT: 300,
  LLM_LITE: 300,
  LLM_HEAVY: 900,
};

/** Task states. `queued` → `running` → `succeeded` | `failed`. */
export const TASK_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
/** A task state. */
export type TaskStatus = typeof TASK_STATUSES[number];

/** Session and stream states. */
export const LIFECYCLE_STATUSES = ["active", "ended"] as const;
/** A session or stream state. */
export type LifecycleStatus = typeof LIFECYCLE_STATUSES[number];

/** Default port of the server. */
export const DEFAULT_PORT = 8420;

/** Default age after which finished tasks are purged by the server. */
export const DEFAULT_PURGE_DAYS = 3;

/** Largest stdout/stderr stored per task, in bytes (8 MiB). */
export const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** Largest payload or result: bytes of its compact JSON text (1 MiB, SPEC §12.1). */
export const MAX_JSON_BYTES = 1024 * 1024;
/** Deepest nesting of a payload or result: levels of objects and arrays (SPEC §12.1). */
export const MAX_JSON_DEPTH = 64;

const NAME_BODY = "[A-Za-z0-9_][A-Za-z0-9._\\-]{0,63}";
/** Names of sessions and streams: 1–64 of a-z A-Z 0-9 . _ -, not starting with . or -. */
export const NAME_PATTERN = new RegExp(`^${NAME_BODY}$`);
/** The same rule as an HTML `pattern` attribute (anchored by the browser; `-` escaped for its v flag). */
export const NAME_HTML_PATTERN = NAME_BODY;

/** The tools a new sparkq.yml registers. */
export const DEFAULT_TOOLS: Readonly<
  Record<string, { description: string; task_class: TaskClass }>
> = {
  "run-bash": { description: "Execute a bash script", task_class: "MEDIUM_SCRIPT" },
  "run-bash-fast": { description: "Execute a quick bash script", task_class: "FAST_SCRIPT" },
  "run-python": { description: "Execute a python script", task_class: "MEDIUM_SCRIPT" },
  "llm-haiku": { description: "Call Claude Haiku", task_class: "LLM_LITE" },
  "llm-sonnet": { description: "Call Claude Sonnet", task_class: "LLM_HEAVY" },
};

/** How many tasks a listing shows when no limit is given (CLI, API, web UI). */
export const TASK_LIST_DEFAULT = 50;
/** The largest limit a task listing accepts. */
export const TASK_LIST_MAX = 1000;
