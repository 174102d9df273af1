/** Opening what a command works on: the config (through its cache) and the database. */
import { findConfig, loadConfig, type LoadedConfig } from "../config/load.ts";
import type { EngineContext } from "../engine/context.ts";
import { type Db, openDb } from "../storage/db.ts";
import type { Invocation } from "./spec.ts";

/** An open project: config, database, and the engine context over them. */
export interface Project extends EngineContext {
  loaded: LoadedConfig;
  db: Db;
}

/** Finds and loads sparkq.yml for this invocation. */
export function configFor(inv: Invocation): Promise<LoadedConfig> {
  return loadConfig(findConfig(inv.cwd, inv.flags.config as string | undefined));
}

/** Loads the config and opens the database (which must exist). */
export async function openProject(inv: Invocation): Promise<Project> {
  const loaded = await configFor(inv);
  const db = openDb(loaded.dbPath);
  return { loaded, db, config: loaded.config };
}
