/** Opening a project: its config (through the cache) and its database. */
import { findConfig, loadConfig, type LoadedConfig } from "../config/load.ts";
import { type Db, openDb } from "../storage/db.ts";
import { dirname, resolvePath } from "../config/paths.ts";
import type { ClaimedTask } from "../core/schemas.ts";
import type { EngineContext } from "./context.ts";

/** The `project` of a claimed task. */
export type TaskProject = ClaimedTask["project"];

/** An open project: config, database, and the engine context over them. */
export interface Project extends EngineContext {
  loaded: LoadedConfig;
  db: Db;
}

/** Where to look for sparkq.yml: the user's directory and an explicit path, if any. */
export interface ProjectLocation {
  /** The directory the user ran SparkQ from. */
  cwd: string;
  /** `--config PATH`, when given. */
  config?: string;
}

/** Finds and loads sparkq.yml. */
export function configAt(where: ProjectLocation): Promise<LoadedConfig> {
  return loadConfig(findConfig(where.cwd, where.config));
}

/** Loads the config and opens the database (which must exist). */
export async function openProject(where: ProjectLocation): Promise<Project> {
  const loaded = await configAt(where);
  const db = openDb(loaded.dbPath);
  return { loaded, db, config: loaded.config, configDir: loaded.dir };
}

/**
 * Where a claimed task's work happens: the project's name and its repository and PRD
 * paths made absolute (relative ones resolve against sparkq.yml's folder; null stays null).
 */
export function projectPaths(ctx: EngineContext): TaskProject {
  const base = ctx.configDir ?? dirname(ctx.db.path);
  const abs = (p: string | null) => p === null ? null : resolvePath(base, p);
  const { name, repo_path, prd_path } = ctx.config.project;
  return { name, repo_path: abs(repo_path), prd_path: abs(prd_path) };
}
