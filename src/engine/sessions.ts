/** Session rules: unique valid names; ending a session ends its streams. */
import { conflict, notFound, SparkqError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { LifecycleStatus } from "../core/constants.ts";
import type { Session, SessionListItem } from "../core/schemas.ts";
import { checkName } from "../core/names.ts";
import { getProject } from "../storage/projects.ts";
import * as store from "../storage/sessions.ts";
import { endStreamsOfSession } from "../storage/streams.ts";
import { countQueuedInSession } from "../storage/tasks.ts";
import { type EngineContext, nowStamp } from "./context.ts";
import { didYouMean } from "../core/suggest.ts";

/** Creates an active session. Refuses a bad or taken name. */
export function createSession(
  ctx: EngineContext,
  input: { name: string; description?: string | null },
): Session {
  checkName("session", input.name);
  return ctx.db.write(() => {
    const project = getProject(ctx.db);
    if (!project) {
      throw new SparkqError("the database has no project: run 'sparkq setup' first", {
        code: "config",
      });
    }
    if (store.getSessionByName(ctx.db, input.name)) {
      throw conflict(`session '${input.name}' already exists`, undefined, "duplicate");
    }
    const now = nowStamp(ctx);
    const session: Session = {
      id: newId("ses"),
      project_id: project.id,
      name: input.name,
      description: input.description ?? null,
      status: "active",
      started_at: now,
      ended_at: null,
      created_at: now,
      updated_at: now,
    };
    store.insertSession(ctx.db, session);
    return session;
  });
}

/** The session with this name, or a not-found error with a suggestion. */
export function requireSession(ctx: EngineContext, name: string): Session {
  const s = store.getSessionByName(ctx.db, name);
  if (s) return s;
  const guess = didYouMean(name, store.listSessions(ctx.db).map((x) => x.name));
  throw notFound(
    `no session named '${name}'`,
    guess ? `did you mean '${guess}'?` : "list them with 'sparkq session list'",
  );
}

/** Sessions with their stream counts. */
export function listSessions(ctx: EngineContext, status?: LifecycleStatus): SessionListItem[] {
  return store.listSessions(ctx.db, status).map((s) => ({
    ...s,
    stream_count: Number(s.stream_count),
  }));
}

/**
 * Ends a session and all its active streams, in one transaction. Says how many streams
 * it ended and how many queued tasks that strands (`requeue <id> --stream OTHER` moves one).
 */
export function endSession(
  ctx: EngineContext,
  name: string,
): Session & { streams_ended: number; stranded: number } {
  return ctx.db.write(() => {
    const s = requireSession(ctx, name);
    if (s.status === "ended") {
      throw conflict(`session '${name}' is already ended`, undefined, "session_ended");
    }
    const now = nowStamp(ctx);
    store.endSession(ctx.db, s.id, now);
    const n = endStreamsOfSession(ctx.db, s.id, now);
    return {
      ...store.getSession(ctx.db, s.id)!,
      streams_ended: n,
      stranded: countQueuedInSession(ctx.db, s.id),
    };
  });
}
