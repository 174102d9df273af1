/** The status overview: project, sessions and streams with their task counts. */
import type { Project, SessionListItem, StreamListItem } from "../core/schemas.ts";
import { getProject } from "../storage/projects.ts";
import { failDeadTasks } from "./autofail.ts";
import type { EngineContext } from "./context.ts";
import { listSessions } from "./sessions.ts";
import { listStreams } from "./streams.ts";

/** What `status` and `/api/status` show (the server part is added by the caller). */
export interface Overview {
  project: Project | null;
  sessions: SessionListItem[];
  streams: StreamListItem[];
  totals: { queued: number; running: number; stale: number; succeeded: number; failed: number };
}

/** Builds the overview, failing dead tasks first. */
export function overview(ctx: EngineContext): Overview {
  failDeadTasks(ctx);
  const streams = listStreams(ctx);
  const totals = { queued: 0, running: 0, stale: 0, succeeded: 0, failed: 0 };
  for (const s of streams) {
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s.counts[k];
  }
  return {
    project: getProject(ctx.db) ?? null,
    sessions: listSessions(ctx),
    streams,
    totals,
  };
}
