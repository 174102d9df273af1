/**
 * The one reading of a task-listing request (CLI `tasks`, `GET /api/tasks`, the UI's task
 * list): status, stream, stale and limit, with the default and the maximum limit. Each
 * caller passes its raw values and how it names a field (`--limit`, `'limit'`); a bad
 * value is a usage error that names the field and the value.
 */
import {
  TASK_LIST_DEFAULT,
  TASK_LIST_MAX,
  TASK_STATUSES,
  type TaskStatus,
} from "../core/constants.ts";
import { usageError } from "../core/errors.ts";

/** Filters of a task listing (`listTasks`). */
export interface TaskQuery {
  status?: TaskStatus;
  stream?: string;
  /** Only running tasks past their timeout. */
  stale?: boolean;
  /** At most this many tasks (default `TASK_LIST_DEFAULT`). */
  limit?: number;
}

/** A parsed listing request: every filter decided, the limit filled in. */
export interface ParsedTaskQuery extends TaskQuery {
  stale: boolean;
  limit: number;
}

/** Raw inputs: text from a query string or form, or values the CLI parser already typed. */
export interface RawTaskQuery {
  status?: string | null;
  stream?: string | null;
  stale?: string | boolean | null;
  limit?: string | number | null;
}

/** How a caller names a field in its refusals, e.g. `(f) => "--" + f` or `(f) => "'" + f + "'"`. */
export type FieldName = (field: string) => string;

const quoted: FieldName = (f) => `'${f}'`;

/** Text that means yes and no for a switch (`stale=1`, `stale=true`, a checked box's `on`). */
const YES = ["1", "true", "on", "yes"];
const NO = ["0", "false", "off", "no"];

/**
 * Reads a yes/no switch (`stale`, and any other listing switch): a boolean, or one of
 * 1/true/on/yes and 0/false/off/no; absent or empty is `false`.
 */
export function parseSwitch(raw: string | boolean | null | undefined, name: string): boolean {
  if (typeof raw === "boolean") return raw;
  if (raw === undefined || raw === null || raw === "") return false;
  const v = raw.trim().toLowerCase();
  if (YES.includes(v)) return true;
  if (NO.includes(v)) return false;
  throw usageError(`${name} must be one of ${YES.join(", ")} or ${NO.join(", ")} (got '${raw}')`);
}

/** Reads a listing limit: a whole number from 1 to `TASK_LIST_MAX`; absent is the default. */
export function parseLimit(raw: string | number | null | undefined, name: string): number {
  if (raw === undefined || raw === null || raw === "") return TASK_LIST_DEFAULT;
  const text = String(raw).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > TASK_LIST_MAX) {
    throw usageError(`${name} must be a whole number from 1 to ${TASK_LIST_MAX} (got '${raw}')`);
  }
  return n;
}

/** Reads a task status filter; absent or empty is no filter. */
export function parseTaskStatus(
  raw: string | null | undefined,
  name: string,
): TaskStatus | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (!(TASK_STATUSES as readonly string[]).includes(raw)) {
    throw usageError(`${name} must be one of ${TASK_STATUSES.join(", ")} (got '${raw}')`);
  }
  return raw as TaskStatus;
}

/**
 * Parses a listing request into filters. The stream is taken as given (an unknown one is
 * refused by `listTasks`, with a suggestion); `stale` and `limit` get their defaults.
 */
export function parseTaskQuery(raw: RawTaskQuery, fieldName: FieldName = quoted): ParsedTaskQuery {
  const status = parseTaskStatus(raw.status, fieldName("status"));
  const stream = raw.stream === undefined || raw.stream === null || raw.stream === ""
    ? undefined
    : raw.stream;
  const stale = parseSwitch(raw.stale, fieldName("stale"));
  const limit = parseLimit(raw.limit, fieldName("limit"));
  return { status, stream, stale, limit };
}
