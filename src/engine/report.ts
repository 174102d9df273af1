/**
 * `sparkq report` (SPEC §12.3): a session's record for the person who comes back to
 * it, built once as data (`Report`) that the Markdown, HTML and JSON renderers
 * (src/ui/report/) and the web UI all show. Failures first: their errors, the end of
 * their stderr, late reports and whether the auto-fail rule failed them; then each
 * stream with its instructions and every task, its progress notes and requeue chain.
 */
import { notFound } from "../core/errors.ts";
import type { TaskStatus } from "../core/constants.ts";
import type { Session, Stream } from "../core/schemas.ts";
import { copiesOf, type ReportTaskRow, reportTasks } from "../storage/report.ts";
import { getSession, listSessions } from "../storage/sessions.ts";
import { listStreams } from "../storage/streams.ts";
import { type EngineContext, nowMs } from "./context.ts";
import { failDeadTasks } from "./autofail.ts";
import { requireSession } from "./sessions.ts";
import { requireStream } from "./streams.ts";

/** How many lines at the end of a failed task's stderr a report shows. */
export const REPORT_STDERR_LINES = 12;
/** The hourly chart covers at most this many hours (the latest ones). */
export const REPORT_CHART_HOURS = 168;

/** What a report covers. */
export interface ReportScope {
  /** A session by name (default: the most recently started active session). */
  session?: string;
  /** One stream only (its session is the report's session). */
  stream?: string;
  /** Only tasks created or finished within this many ms (and every open task). */
  sinceMs?: number;
}

/** Task counts of a report or of one stream. */
export interface ReportCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  /** Failed by the auto-fail rule (included in `failed`). */
  auto_failed: number;
  /** Tasks carrying a report that arrived after their auto-fail. */
  late_reports: number;
  /** Tasks that were requeued (have at least one copy). */
  requeued: number;
}

/** A report that came after the task was auto-failed (kept, not applied). */
export interface ReportLate {
  at: string;
  outcome: "succeeded" | "failed";
  summary: string | null;
  error: string | null;
  stderr_bytes: number;
}

/** A copy requeued from a task. */
export interface ReportCopy {
  id: string;
  status: TaskStatus;
  stream: string;
}

/** One task as the report shows it. */
export interface ReportTask {
  id: string;
  stream: string;
  tool: string;
  status: TaskStatus;
  auto_failed: boolean;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Run time in seconds: finished − started, so far for a running task; null if never started. */
  duration_seconds: number | null;
  summary: string | null;
  error: string | null;
  /** The last lines of a failed task's stderr (null when it has none). */
  stderr_tail: string | null;
  /** Bytes of stderr before `stderr_tail`. */
  stderr_omitted_bytes: number;
  notes: { at: string; note: string }[];
  late_report: ReportLate | null;
  requeued_from: string | null;
  requeued_to: ReportCopy[];
}

/** One stream of the report. */
export interface ReportStream {
  name: string;
  status: "active" | "ended";
  instructions: string | null;
  counts: ReportCounts;
  /** Oldest first. */
  tasks: ReportTask[];
}

/** Tasks finished in one hour, by outcome. */
export interface ReportHour {
  /** The hour's start, ISO (UTC). */
  hour: string;
  succeeded: number;
  failed: number;
}

/** Finished tasks of one tool and their median run time. */
export interface ReportTool {
  tool: string;
  finished: number;
  median_seconds: number;
}

/** A session's record. */
export interface Report {
  generated_at: string;
  project: string;
  session: Pick<Session, "name" | "description" | "status" | "started_at" | "ended_at">;
  /** Set when the report covers one stream only. */
  stream: string | null;
  /** The cutoff of `--since`, ISO; null for the whole session. */
  since: string | null;
  counts: ReportCounts;
  time: {
    /** The first task's creation and the last finish (null when none). */
    first_created_at: string | null;
    last_finished_at: string | null;
    /** From the first creation to the last finish (or now, while tasks are open). */
    elapsed_seconds: number;
    /** Run time of all tasks added up (running ones so far). */
    work_seconds: number;
    /** Median run time of finished tasks that ran (null when none). */
    median_seconds: number | null;
  };
  /** Failed tasks, in the order they failed. */
  failures: ReportTask[];
  streams: ReportStream[];
  charts: { hourly: ReportHour[]; tools: ReportTool[] };
}

/** Builds the report of a session (or one stream) from the database in one pass. */
export function buildReport(ctx: EngineContext, scope: ReportScope = {}): Report {
  failDeadTasks(ctx);
  const now = nowMs(ctx);
  let session: Session;
  let streams: Stream[];
  if (scope.stream) {
    const stream = requireStream(ctx, scope.stream);
    session = getSession(ctx.db, stream.session_id)!;
    streams = [stream];
  } else {
    session = scope.session ? requireSession(ctx, scope.session) : latestActiveSession(ctx);
    streams = listStreams(ctx.db, { sessionId: session.id });
  }
  const ids = streams.map((s) => s.id);
  const since = scope.sinceMs === undefined
    ? undefined
    : new Date(now - scope.sinceMs).toISOString();
  const names = new Map(streams.map((s) => [s.id, s.name]));
  const copies = new Map<string, ReportCopy[]>();
  for (const c of copiesOf(ctx.db, ids)) {
    const list = copies.get(c.requeued_from) ?? [];
    list.push({ id: c.id, status: c.status, stream: c.stream_name });
    copies.set(c.requeued_from, list);
  }
  const byStream = new Map<string, ReportTask[]>(ids.map((id) => [id, []]));
  for (const row of reportTasks(ctx.db, ids, since)) {
    byStream.get(row.stream_id)!.push(reportTask(row, names, copies, now));
  }
  const all = [...byStream.values()].flat();
  return {
    generated_at: new Date(now).toISOString(),
    project: ctx.config.project.name,
    session: {
      name: session.name,
      description: session.description,
      status: session.status,
      started_at: session.started_at,
      ended_at: session.ended_at,
    },
    stream: scope.stream ?? null,
    since: since ?? null,
    counts: countsOf(all),
    time: timeOf(all, now),
    failures: all.filter((t) => t.status === "failed").sort(byFinish),
    streams: streams.map((s) => {
      const tasks = byStream.get(s.id)!;
      return {
        name: s.name,
        status: s.status,
        instructions: s.instructions,
        counts: countsOf(tasks),
        tasks,
      };
    }),
    charts: { hourly: hourly(all), tools: perTool(all) },
  };
}

/** The most recently started active session, or a not-found error saying what to pass. */
function latestActiveSession(ctx: EngineContext): Session {
  const active = listSessions(ctx.db, "active");
  let latest: Session | undefined;
  for (const s of active) if (!latest || s.started_at >= latest.started_at) latest = s;
  if (!latest) {
    throw notFound(
      "no active session to report on",
      "pass --session NAME (see 'sparkq session list')",
    );
  }
  return latest;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The last lines of a raw stderr tail (which may start inside a character or a line). */
function stderrTail(
  raw: Uint8Array | null,
  total: number,
): { text: string | null; omitted: number } {
  if (raw === null || raw.length === 0) return { text: null, omitted: 0 };
  let start = 0;
  while (start < raw.length && (raw[start] & 0xc0) === 0x80) start++;
  const text = decoder.decode(raw.subarray(start));
  const body = text.replace(/\n+$/, "");
  const lines = body.split("\n");
  if (raw.length < total && lines.length > 1) lines.shift(); // the first line may be partial
  const kept = lines.slice(-REPORT_STDERR_LINES).join("\n");
  if (kept.trim() === "") return { text: null, omitted: 0 };
  const after = text.length - body.length; // trailing newlines, one byte each
  return { text: kept, omitted: Math.max(0, total - encoder.encode(kept).length - after) };
}

function reportTask(
  row: ReportTaskRow,
  names: Map<string, string>,
  copies: Map<string, ReportCopy[]>,
  now: number,
): ReportTask {
  const ms = row.run_ms !== null
    ? Number(row.run_ms)
    : row.status === "running" && row.started_at
    ? now - Date.parse(row.started_at)
    : null;
  const duration = ms === null ? null : Math.max(0, ms) / 1000;
  const tail = stderrTail(row.stderr_tail, Number(row.stderr_bytes));
  const late = row.late_report === null ? null : JSON.parse(row.late_report);
  return {
    id: row.id,
    stream: names.get(row.stream_id)!,
    tool: row.tool_name,
    status: row.status,
    auto_failed: row.status === "failed" && Number(row.auto_failed) === 1,
    attempts: Number(row.attempts),
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_seconds: duration,
    summary: row.summary,
    error: row.error,
    stderr_tail: tail.text,
    stderr_omitted_bytes: tail.text === null ? 0 : tail.omitted,
    notes: row.notes === null ? [] : JSON.parse(row.notes),
    late_report: late === null ? null : { ...late, stderr_bytes: Number(late.stderr_bytes) },
    requeued_from: row.requeued_from,
    requeued_to: copies.get(row.id) ?? [],
  };
}

function countsOf(tasks: ReportTask[]): ReportCounts {
  const c: ReportCounts = {
    total: tasks.length,
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    auto_failed: 0,
    late_reports: 0,
    requeued: 0,
  };
  for (const t of tasks) {
    c[t.status]++;
    if (t.auto_failed) c.auto_failed++;
    if (t.late_report) c.late_reports++;
    if (t.requeued_to.length) c.requeued++;
  }
  return c;
}

function byFinish(a: ReportTask, b: ReportTask): number {
  const x = a.finished_at ?? a.created_at;
  const y = b.finished_at ?? b.created_at;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The median of some numbers (undefined when there are none). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function timeOf(tasks: ReportTask[], now: number): Report["time"] {
  let first: string | null = null;
  let last: string | null = null;
  let work = 0;
  let open = false;
  const ran: number[] = [];
  for (const t of tasks) {
    if (first === null || t.created_at < first) first = t.created_at;
    if (t.finished_at && (last === null || t.finished_at > last)) last = t.finished_at;
    if (t.duration_seconds !== null) work += t.duration_seconds;
    if (t.finished_at && t.duration_seconds !== null) ran.push(t.duration_seconds);
    if (t.status === "queued" || t.status === "running") open = true;
  }
  const end = open ? now : last ? Date.parse(last) : first ? Date.parse(first) : now;
  return {
    first_created_at: first,
    last_finished_at: last,
    elapsed_seconds: first ? Math.max(0, end - Date.parse(first)) / 1000 : 0,
    work_seconds: work,
    median_seconds: median(ran) ?? null,
  };
}

const HOUR_MS = 3600_000;

/** Tasks finished per hour by outcome, every hour from the first to the last (at most 168). */
function hourly(tasks: ReportTask[]): ReportHour[] {
  // Grouped by the timestamp's hour text first: one date parse per hour, not per task.
  const byText = new Map<string, { succeeded: number; failed: number }>();
  for (const t of tasks) {
    if (!t.finished_at || (t.status !== "succeeded" && t.status !== "failed")) continue;
    const key = t.finished_at.slice(0, 13);
    let c = byText.get(key);
    if (!c) byText.set(key, c = { succeeded: 0, failed: 0 });
    c[t.status]++;
  }
  if (byText.size === 0) return [];
  const counts = new Map<number, { succeeded: number; failed: number }>();
  for (const [key, c] of byText) counts.set(Date.parse(`${key}:00:00Z`) / HOUR_MS, c);
  const max = Math.max(...counts.keys());
  const min = Math.max(Math.min(...counts.keys()), max - REPORT_CHART_HOURS + 1);
  const out: ReportHour[] = [];
  for (let h = min; h <= max; h++) {
    const c = counts.get(h) ?? { succeeded: 0, failed: 0 };
    out.push({ hour: new Date(h * HOUR_MS).toISOString(), ...c });
  }
  return out;
}

/** Median run time per tool over finished tasks that ran, slowest first. */
function perTool(tasks: ReportTask[]): ReportTool[] {
  const runs = new Map<string, number[]>();
  for (const t of tasks) {
    if (!t.finished_at || t.duration_seconds === null) continue;
    const list = runs.get(t.tool) ?? [];
    list.push(t.duration_seconds);
    runs.set(t.tool, list);
  }
  return [...runs].map(([tool, d]) => ({ tool, finished: d.length, median_seconds: median(d)! }))
    .sort((a, b) => b.median_seconds - a.median_seconds || a.tool.localeCompare(b.tool));
}
