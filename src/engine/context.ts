import type { Config } from "../config/schema.ts";
import type { Db } from "../storage/db.ts";

/** What every engine operation works on: the open database and the config. */
export interface EngineContext {
  db: Db;
  config: Config;
  /**
   * The folder of sparkq.yml: relative paths in the config resolve against it. When
   * absent, the database's folder stands in.
   */
  configDir?: string;
  /** The clock; tests and the server may pass their own. Defaults to Date.now. */
  now?: () => number;
}

/** The engine's current time in ms. */
export function nowMs(ctx: EngineContext): number {
  return ctx.now ? ctx.now() : Date.now();
}

/** The engine's current time as an ISO timestamp. */
export function nowStamp(ctx: EngineContext): string {
  return new Date(nowMs(ctx)).toISOString();
}
