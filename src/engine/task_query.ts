/**
 * The one reading of a task-listing request (CLI `tasks`, `GET /api/tasks`, the UI's task
 * list): status, stream, stale and limit, with the default and the maximum limit; the
 * page cursors (`before`, `after`) and the search text (`q`) of the API and the UI. Each
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
  /** Only tasks after this place in the newest-first order (older ones: the next page). */
  before?: Cursor;
  /** Only tasks before this place (newer ones: the previous page). */
  after?: Cursor;
  /** Search text: an ID prefix, or words of a summary, an error or a payload. */
  search?: string;
}

/** A place in the newest-first task order: a task's creation time and rowid. */
export interface Cursor {
  created_at: string;
  rowid: number;
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
  before?: string | null;
  after?: string | null;
  q?: string | null;
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
  const before = parseCursor(raw.before, fieldName("before"));
  const after = parseCursor(raw.after, fieldName("after"));
  if (before && after) {
    throw usageError(`give ${fieldName("before")} or ${fieldName("after")}, not both`);
  }
  const search = parseSearch(raw.q, fieldName("q"));
  const q: ParsedTaskQuery = { status, stream, stale, limit };
  if (before) q.before = before;
  if (after) q.after = after;
  if (search !== undefined) q.search = search;
  return q;
}

/** The text of a cursor: `<created_at>_<rowid>` (readable; `_` never occurs in the time). */
export function formatCursor(c: Cursor): string {
  return `${c.created_at}_${c.rowid}`;
}

/** Reads a page cursor (`formatCursor`'s text); absent or empty is none. */
export function parseCursor(raw: string | null | undefined, name: string): Cursor | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const m = /^(\d{4}-[0-9T:.+Z-]{1,40})_(\d{1,15})$/.exec(raw.trim());
  if (!m) {
    throw usageError(
      `${name} must be a page cursor like 2026-01-02T03:04:05.678Z_42 (got '${clip(raw)}')`,
    );
  }
  return { created_at: m[1], rowid: Number(m[2]) };
}

/** The longest search text, in characters. */
export const SEARCH_MAX = 200;

/** Reads the search text: trimmed; absent or blank is no search. */
export function parseSearch(raw: string | null | undefined, name: string): string | undefined {
  const text = (raw ?? "").trim();
  if (text === "") return undefined;
  if (text.length > SEARCH_MAX) {
    throw usageError(`${name} must be at most ${SEARCH_MAX} characters (got ${text.length})`);
  }
  return text;
}

/** What a search text looks for: an ID prefix and/or an FTS5 query (see `searchTerms`). */
export interface SearchTerms {
  idPrefix?: string;
  match?: string;
}

/** Search words kept from one text (more are ignored). */
const SEARCH_WORDS = 12;

/**
 * Turns search text into its index lookups. `tsk_…` is an ID prefix only; 3 to 12 hex
 * digits are an ID prefix (after `tsk_`) and words; anything else is words. Each
 * space-separated chunk is a phrase of its letters and digits (`exit-code` finds "exit
 * code"), all chunks must match (in summary, error or payload), and a chunk ending in
 * `*` matches as a prefix. Undefined when nothing is left to look for.
 */
export function searchTerms(text: string): SearchTerms | undefined {
  const lower = text.toLowerCase();
  if (/^tsk_[0-9a-f]{0,12}$/.test(lower)) return { idPrefix: lower };
  const idPrefix = /^[0-9a-f]{3,12}$/.test(lower) ? `tsk_${lower}` : undefined;
  const phrases: string[] = [];
  for (const chunk of text.split(/\s+/).slice(0, SEARCH_WORDS)) {
    const words = chunk.split(/[^\p{L}\p{N}\p{M}]+/u).filter((w) => w !== "");
    if (words.length === 0) continue;
    phrases.push(`"${words.join(" ")}"${chunk.endsWith("*") ? " *" : ""}`);
  }
  const match = phrases.length ? phrases.join(" ") : undefined;
  return idPrefix || match ? { idPrefix, match } : undefined;
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}
