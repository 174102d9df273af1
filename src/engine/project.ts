/** Opening a project: its config (through the cache) and its database. */
import { DATABASE_URL_ENV, findConfig, loadConfig, type LoadedConfig } from "../config/load.ts";
import { loadCold } from "../core/cold.ts";
import { parseDatabaseUrl } from "../core/database_url.ts";
import type * as Postgres from "../storage/postgres/mod.ts";
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
  const db = await openStore(loaded);
  return { loaded, db, config: loaded.config, configDir: loaded.dir };
}

/**
 * Opens a project's store: the PostgreSQL database of `databaseUrl` when one is set
 * (its module and driver are loaded only then), else the SQLite file. With `create`,
 * an empty store gets SparkQ's tables (only `setup` asks).
 */
export async function openStore(loaded: LoadedConfig, create = false): Promise<Db> {
  if (loaded.databaseUrl === undefined) return openDb(loaded.dbPath, { create });
  const from = Deno.env.get(DATABASE_URL_ENV) ? DATABASE_URL_ENV : "database.url";
  const target = parseDatabaseUrl(loaded.databaseUrl, from);
  const pg = await loadCold<typeof Postgres>("postgres");
  return pg.openPostgres(target, { create });
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
