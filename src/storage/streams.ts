import type { LifecycleStatus } from "../core/constants.ts";
import type { Stream } from "../core/schemas.ts";
import type { Db } from "./db.ts";

/** Inserts a stream row. */
export function insertStream(db: Db, s: Stream): void {
  db.run(
    `INSERT INTO streams (id, session_id, name, instructions, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    s.id,
    s.session_id,
    s.name,
    s.instructions,
    s.status,
    s.created_at,
    s.updated_at,
  );
}

/** The stream with this ID, or undefined. */
export function getStream(db: Db, id: string): Stream | undefined {
  return db.get<Stream>("SELECT * FROM streams WHERE id = ?", id);
}

/** The stream with this name, or undefined. */
export function getStreamByName(db: Db, name: string): Stream | undefined {
  return db.get<Stream>("SELECT * FROM streams WHERE name = ?", name);
}

/** A stream with its session's name. */
export type StreamWithSession = Stream & { session_name: string };

/** Streams, oldest first, with their session's name; optional filters. */
export function listStreams(
  db: Db,
  filter: { sessionId?: string; status?: LifecycleStatus } = {},
): StreamWithSession[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.sessionId) {
    where.push("st.session_id = ?");
    params.push(filter.sessionId);
  }
  if (filter.status) {
    where.push("st.status = ?");
    params.push(filter.status);
  }
  return db.all<StreamWithSession>(
    `SELECT st.*, s.name AS session_name FROM streams st JOIN sessions s ON s.id = st.session_id
     ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY st.created_at, st.rowid`,
    ...params,
  );
}

/** Ends an active stream; returns false when it was not active. */
export function endStream(db: Db, id: string, now: string): boolean {
  return db.run(
    "UPDATE streams SET status = 'ended', updated_at = ? WHERE id = ? AND status = 'active'",
    now,
    id,
  ) === 1;
}

/** Ends every active stream of a session; returns how many. */
export function endStreamsOfSession(db: Db, sessionId: string, now: string): number {
  return db.run(
    "UPDATE streams SET status = 'ended', updated_at = ? WHERE session_id = ? AND status = 'active'",
    now,
    sessionId,
  );
}
