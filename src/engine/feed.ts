/**
 * The event feed of `sparkq follow` (SPEC §12.3): what happened in the queue, one event
 * per change, derived from the task rows (created_at: enqueued, started_at: claimed,
 * each progress note's `at`: note, finished_at: succeeded, failed or auto-failed).
 *
 * Every timestamp is taken inside the write transaction that stores it, so events
 * commit in the order of their times; still, each look goes back `LOOKBACK_MS` before
 * the newest event seen (a clock step, a slow commit) and remembers which events of
 * that window it has given, so an event is given once and none is lost however many
 * changes land between two looks. The rows are found through indexes only (see
 * storage `feedRows`), so a look costs the same at a million tasks.
 */
import type { Session } from "../core/schemas.ts";
import { feedLatestRows, type FeedRow, feedRows } from "../storage/report.ts";
import { listStreams } from "../storage/streams.ts";
import { failDeadTasks } from "./autofail.ts";
import { type EngineContext, nowMs } from "./context.ts";
import { requireSession } from "./sessions.ts";
import { requireStream } from "./streams.ts";

/** How far before the newest event seen each look reads again, in ms. */
export const LOOKBACK_MS = 5000;

/** What happened. */
export type FeedEventKind =
  | "enqueued"
  | "claimed"
  | "note"
  | "succeeded"
  | "failed"
  | "auto-failed";

/** One event of the feed (its JSON form is `follow --json`'s line). */
export interface FeedEvent {
  at: string;
  event: FeedEventKind;
  id: string;
  stream: string;
  tool: string;
  /** enqueued: the task this one is a copy of. */
  requeued_from?: string;
  /** note: the progress note. */
  note?: string;
  /** succeeded: the result's summary. */
  summary?: string;
  /** failed, auto-failed: the error. */
  error?: string;
}

/** Which tasks a feed follows: one stream, one session's streams, or all. */
export interface FeedScope {
  stream?: string;
  session?: string;
}

const ORDER: Record<FeedEventKind, number> = {
  enqueued: 0,
  claimed: 1,
  note: 2,
  succeeded: 3,
  failed: 3,
  "auto-failed": 3,
};

/** Events in the order they happened (ties: enqueued, claimed, note, outcome; then ID). */
export function compareEvents(a: FeedEvent, b: FeedEvent): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (ORDER[a.event] !== ORDER[b.event]) return ORDER[a.event] - ORDER[b.event];
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every event a task row carries. */
export function eventsOf(row: FeedRow): FeedEvent[] {
  const base = { id: row.id, stream: row.stream_name, tool: row.tool_name };
  const out: FeedEvent[] = [{
    at: row.created_at,
    event: "enqueued",
    ...base,
    ...(row.requeued_from ? { requeued_from: row.requeued_from } : {}),
  }];
  if (row.started_at) out.push({ at: row.started_at, event: "claimed", ...base });
  if (row.notes) {
    for (const n of JSON.parse(row.notes) as { at: string; note: string }[]) {
      out.push({ at: n.at, event: "note", ...base, note: n.note });
    }
  }
  if (row.finished_at && row.status === "succeeded") {
    out.push({ at: row.finished_at, event: "succeeded", ...base, summary: row.summary ?? "" });
  } else if (row.finished_at && row.status === "failed") {
    const event = Number(row.auto_failed) === 1 ? "auto-failed" : "failed";
    out.push({ at: row.finished_at, event, ...base, error: row.error ?? "" });
  }
  return out;
}

function keyOf(e: FeedEvent): string {
  return `${e.id}\n${e.event}\n${e.at}\n${e.note ?? ""}`;
}

/** A live feed of queue events; `latest` first, then `next` after each change. */
export class Feed {
  #ctx: EngineContext;
  #stream: string | undefined;
  #session: Session | undefined;
  /** The newest event time given (ISO), or the start time. */
  #cursor: string;
  /** Nothing before this time is given (the start of the opening events). */
  #floor = "";
  /** Events given whose time is within the look-back window of the cursor. */
  #seen = new Map<string, string>();
  /** Tasks running at the last look. */
  #watch: string[] = [];

  /** A feed of one stream's, one session's or every stream's events (names checked now). */
  constructor(ctx: EngineContext, scope: FeedScope = {}) {
    this.#ctx = ctx;
    if (scope.stream) this.#stream = requireStream(ctx, scope.stream).id;
    if (scope.session) this.#session = requireSession(ctx, scope.session);
    this.#cursor = new Date(nowMs(ctx)).toISOString();
  }

  /** The stream IDs in scope (a session's are read again at each look: streams get added). */
  #streamIds(): string[] | undefined {
    if (this.#stream) return [this.#stream];
    if (this.#session) {
      return listStreams(this.#ctx.db, { sessionId: this.#session.id }).map((s) => s.id);
    }
    return undefined;
  }

  /** The latest `n` events, oldest first; later looks give only what happens after them. */
  latest(n: number): FeedEvent[] {
    failDeadTasks(this.#ctx);
    const rows = feedLatestRows(this.#ctx.db, n, this.#streamIds());
    const all = rows.flatMap(eventsOf).sort(compareEvents);
    const shown = all.slice(-n);
    if (shown.length) {
      this.#floor = shown[0].at;
      for (const e of all) if (e.at >= this.#floor) this.#remember(e);
    }
    this.#watch = rows.filter((r) => r.status === "running").map((r) => r.id);
    return shown;
  }

  /** The events that happened since the last look, oldest first. */
  next(): FeedEvent[] {
    failDeadTasks(this.#ctx);
    const since = new Date(Date.parse(this.#cursor) - LOOKBACK_MS).toISOString();
    const from = since > this.#floor ? since : this.#floor;
    const rows = feedRows(this.#ctx.db, since, this.#watch, this.#streamIds());
    const fresh = rows.flatMap(eventsOf)
      .filter((e) => e.at >= from && !this.#seen.has(keyOf(e)))
      .sort(compareEvents);
    for (const e of fresh) this.#remember(e);
    this.#watch = rows.filter((r) => r.status === "running").map((r) => r.id);
    this.#forget();
    return fresh;
  }

  #remember(e: FeedEvent): void {
    this.#seen.set(keyOf(e), e.at);
    if (e.at > this.#cursor) this.#cursor = e.at;
  }

  /** Drops what the next look cannot see again. */
  #forget(): void {
    const edge = new Date(Date.parse(this.#cursor) - LOOKBACK_MS).toISOString();
    for (const [k, at] of this.#seen) if (at < edge) this.#seen.delete(k);
  }
}
