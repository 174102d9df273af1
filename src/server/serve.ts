/**
 * Starting and stopping the HTTP server on 127.0.0.1:<port> (never another address):
 * the app, the live feed, the script index and the background upkeep.
 */
import type { Project } from "../engine/project.ts";
import { SparkqError } from "../core/errors.ts";
import { buildScriptIndex } from "../engine/script_index.ts";
import { limitJournal, setCacheSize } from "../storage/maintenance.ts";
import { checkIntegrity } from "../storage/db.ts";
import { createApp } from "./app.ts";
import type { ServerContext } from "./context.ts";
import { ChangeFeed } from "./events.ts";
import { ReadCache } from "./read_cache.ts";
import { startMaintenance } from "./maintenance.ts";
import { reloadFromDisk, summarize } from "./reload.ts";

/** The WAL is truncated back to this size after checkpoints. */
export const JOURNAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** The server's SQLite page cache (the CLI's short-lived processes keep SQLite's 2 MiB). */
export const CACHE_MIB = 64;

/** A running server. */
export interface RunningServer {
  url: string;
  ctx: ServerContext;
  /** Closes live streams, stops upkeep and waits for in-flight requests. */
  close(): Promise<void>;
}

/** Starts the server for an open project on its configured port. */
export function startServer(
  project: Project,
  options: { port?: number; log: (msg: string) => void },
): RunningServer {
  const port = options.port ?? project.config.server.port;
  checkIntegrity(project.db); // refuse a damaged database before serving anything
  limitJournal(project.db, JOURNAL_LIMIT_BYTES);
  setCacheSize(project.db, CACHE_MIB);
  const feed = new ChangeFeed(project.db);
  const closing = new AbortController();
  const s: ServerContext = {
    project,
    port,
    startedAt: new Date().toISOString(),
    index: buildScriptIndex(project.loaded),
    feed,
    cache: new ReadCache(() => project),
    closing: closing.signal,
    async reload() {
      const fresh = await reloadFromDisk(project.loaded.path);
      project.loaded = fresh.loaded;
      project.config = fresh.loaded.config;
      s.index = fresh.index;
      s.cache.invalidate();
      feed.poke();
      return summarize(fresh);
    },
  };
  const app = createApp(s, options.log);
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, app.fetch);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new SparkqError(`port ${port} on 127.0.0.1 is already in use`, {
        code: "config",
        hint:
          "set server.port in sparkq.yml (or re-run 'sparkq setup --port N'), or stop what uses it",
      });
    }
    throw e;
  }
  const stopUpkeep = startMaintenance(s, options.log);
  return {
    url: `http://127.0.0.1:${port}`,
    ctx: s,
    async close() {
      closing.abort();
      stopUpkeep();
      feed.close();
      await server.shutdown();
    },
  };
}
