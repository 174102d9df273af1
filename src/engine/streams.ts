/** Stream rules: globally unique valid names, only in active sessions, counts. */
import { conflict, notFound } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { LifecycleStatus } from "../core/constants.ts";
import type { Counts, Stream, StreamListItem } from "../core/schemas.ts";
import { checkName } from "../core/names.ts";
import * as store from "../storage/streams.ts";
import { countByStream, countQueued, listRunning } from "../storage/tasks.ts";
import { type EngineContext, nowMs, nowStamp } from "./context.ts";
import { requireSession } from "./sessions.ts";
import { isStale } from "./timing.ts";
import { didYouMean } from "../core/suggest.ts";

/** Creates an active stream in an active session. */
export function createStream(
  ctx: EngineContext,
  input: { name: string; session: string; instructions?: string | null },
): Stream {
  checkName("stream", input.name);
  return ctx.db.write(() => {
    const session = requireSession(ctx, input.session);
    if (session.status !== "active") {
      throw conflict(
        `session '${input.session}' is ended: it takes no new streams`,
        undefined,
        "session_ended",
      );
    }
    const taken = store.getStreamByName(ctx.db, input.name);
    if (taken) {
      throw conflict(
        `stream '${input.name}' already exists (stream names are global)`,
        undefined,
        "duplicate",
      );
    }
    const now = nowStamp(ctx);
    const stream: Stream = {
      id: newId("str"),
      session_id: session.id,
      name: input.name,
      instructions: input.instructions ?? null,
      status: "active",
      created_at: now,
      updated_at: now,
    };
    store.insertStream(ctx.db, stream);
    return stream;
  });
}

/**
 * The stream with this name, or a not-found error with a suggestion. With
 * `active`, an ended stream is refused with a message saying what it was for.
 */
export function requireStream(
  ctx: EngineContext,
  name: string,
  options: { active?: string } = {},
): Stream {
  const s = store.getStreamByName(ctx.db, name);
  if (!s) {
    const guess = didYouMean(name, store.listStreams(ctx.db).map((x) => x.name));
    throw notFound(
      `no stream named '${name}'`,
      guess ? `did you mean '${guess}'?` : "list them with 'sparkq stream list'",
    );
  }
  if (options.active && s.status !== "active") {
    throw conflict(`stream '${name}' is ended: ${options.active}`, undefined, "stream_ended");
  }
  return s;
}

/** Task counts per stream ID, stale included. */
export function streamCounts(ctx: EngineContext): Map<string, Counts> {
  const counts = countByStream(ctx.db);
  const now = nowMs(ctx);
  for (const t of listRunning(ctx.db)) {
    if (!isStale(t, now)) continue;
    const c = counts.get(t.stream_id);
    if (c) c.stale++;
  }
  return counts;
}

/** Streams with their session's name and task counts. */
export function listStreams(
  ctx: EngineContext,
  filter: { session?: string; status?: LifecycleStatus } = {},
): StreamListItem[] {
  const sessionId = filter.session ? requireSession(ctx, filter.session).id : undefined;
  const counts = streamCounts(ctx);
  return store.listStreams(ctx.db, { sessionId, status: filter.status }).map((s) => ({
    ...s,
    counts: counts.get(s.id) ?? { queued: 0, running: 0, stale: 0, succeeded: 0, failed: 0 },
  }));
}

/** Streams with their session's name but no counts (cheap: for menus and filters). */
export function listStreamsBrief(
  ctx: EngineContext,
  filter: { status?: LifecycleStatus } = {},
): store.StreamWithSession[] {
  return store.listStreams(ctx.db, { status: filter.status });
}

/** An ended stream and how many queued tasks it strands. */
export type EndedStream = Stream & {
  /** Queued tasks left in the stream: never claimed; `requeue <id> --stream OTHER` moves one. */
  stranded: number;
};

/**
 * Ends a stream: it takes no new tasks and its queued tasks are never claimed. Says how
 * many queued tasks that strands.
 */
export function endStream(ctx: EngineContext, name: string): EndedStream {
  return ctx.db.write(() => {
    const s = requireStream(ctx, name);
    if (s.status === "ended") {
      throw conflict(`stream '${name}' is already ended`, undefined, "stream_ended");
    }
    store.endStream(ctx.db, s.id, nowStamp(ctx));
    return { ...store.getStream(ctx.db, s.id)!, stranded: countQueued(ctx.db, s.id) };
  });
}
