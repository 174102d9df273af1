/** What every route of the server works with. */
import type { Project } from "../engine/project.ts";
import type { ScriptIndex } from "../engine/script_index.ts";
import type { ChangeFeed } from "./events.ts";
import type { ReadCache } from "./read_cache.ts";
import type { ReloadSummary } from "./reload.ts";

/** The running server's state, shared by the API and the UI routes. */
export interface ServerContext {
  /** The engine context; `config` and `loaded` are swapped in place on reload. */
  project: Project;
  port: number;
  /** ISO time the server started. */
  startedAt: string;
  /** The script index; replaced on reload. */
  index: ScriptIndex;
  /** Live-update feed of database changes. */
  feed: ChangeFeed;
  /** Exact cache of GET answers. */
  cache: ReadCache;
  /** Aborted when the server begins to stop: long waits (an MCP claim) give up. */
  closing: AbortSignal;
  /** Re-reads sparkq.yml and the script index (POST /api/reload, config edits). */
  reload(): Promise<ReloadSummary>;
}

/** The base URL of the server. */
export function baseUrl(s: ServerContext): string {
  return `http://127.0.0.1:${s.port}`;
}
