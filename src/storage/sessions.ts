import type { LifecycleStatus } from "../core/constants.ts";
import type { Session, SessionListItem } from "../core/schemas.ts";
import type { Db } from "./db.ts";

/** Inserts a session row. */
export function insertSession(db: Db, s: Session): void {
  db.run(
    `INSERT INTO sessions (id, project_id, name, description, status, started_at, ended_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    s.id,
    s.project_id,
    s.name,
    s.description,
    s.status,
    s.started_at,
    s.ended_at,
    s.created_at,
    s.updated_at,
  );
}

/** The session with this ID, or undefined. */
export function getSession(db: Db, id: string): Session | undefined {
  return db.get<Session>("SELECT * FROM sessions WHERE id = ?", id);
}

/** The session with this name, or undefined. */
export function getSessionByName(db: Db, name: string): Session | undefined {
  return db.get<Session>("SELECT * FROM sessions WHERE name = ?", name);
}

/** Sessions, oldest first, with their stream counts; optionally only one status. */
export function listSessions(db: Db, status?: LifecycleStatus): SessionListItem[] {
  const sql =
    `SELECT s.*, (SELECT COUNT(*) FROM streams st WHERE st.session_id = s.id) AS stream_count
               FROM sessions s ${
      status ? "WHERE s.status = ?" : ""
    } ORDER BY s.created_at, s.rowid`;
  return status ? db.all<SessionListItem>(sql, status) : db.all<SessionListItem>(sql);
}

/** Ends an active session; returns false when it was not active. */
export function endSession(db: Db, id: string, now: string): boolean {
  return db.run(
    "UPDATE sessions SET status = 'ended', ended_at = ?, updated_at = ? WHERE id = ? AND status = 'active'",
    now,
    now,
    id,
  ) === 1;
}
