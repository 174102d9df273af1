/**
 * Finding and loading sparkq.yml on the hot path. The validated config is cached as
 * JSON beside the file, keyed by the file's size and modification time, so most
 * commands never load the YAML parser or zod; an edit is picked up on the next run.
 */
import { SparkqError } from "../core/errors.ts";
import { loadCold } from "../core/cold.ts";
import type * as ConfigCold from "./cold.ts";
import type { Config } from "./schema.ts";
import { basename, dirname, joinPath, resolvePath } from "./paths.ts";
import { requireInScope } from "../platform/fs_scope.ts";

/** The config file's name. */
export const CONFIG_NAME = "sparkq.yml";
const CACHE_VERSION = 1;
/** The environment variable that names the PostgreSQL store, over `database.url`. */
export const DATABASE_URL_ENV = "SPARKQ_DATABASE_URL";

/** A loaded config with the paths derived from it. */
export interface LoadedConfig {
  /** Absolute path of sparkq.yml. */
  path: string;
  /** Its directory: database.path and the lockfile are relative to it. */
  dir: string;
  config: Config;
  /** Absolute path of the database. */
  dbPath: string;
  /** Absolute path of the server's lockfile. */
  lockPath: string;
  /**
   * The PostgreSQL URL the store lives at: `SPARKQ_DATABASE_URL`, else `database.url`;
   * undefined for the SQLite file at `dbPath` (the default).
   */
  databaseUrl?: string;
}

/**
 * The sparkq.yml to use: `--config`, else $SPARKQ_CONFIG, else the first one found
 * in `cwd` or its parents, else (unless `opts.fallback` is false) the launcher's own
 * folder's, which it passes as $SPARKQ_DEFAULT_CONFIG. Throws the "run 'sparkq setup'
 * first" error when none. The file must resolve (through symlinks) inside the folders
 * SparkQ may read.
 */
export function findConfig(
  cwd: string,
  flag?: string,
  opts: { fallback?: boolean } = {},
): string {
  const p = locateConfig(cwd, flag, opts.fallback ?? true);
  requireInScope(p, "read", "the config file");
  return p;
}

function locateConfig(cwd: string, flag: string | undefined, fallback: boolean): string {
  const explicit = flag ?? (Deno.env.get("SPARKQ_CONFIG") || undefined);
  if (explicit) {
    const p = resolvePath(cwd, explicit);
    if (!statFile(p)) {
      if (readDenied(p)) {
        throw new SparkqError(
          `SparkQ is not allowed to read ${p} (from ${flag ? "--config" : "SPARKQ_CONFIG"})`,
          {
            code: "permission",
            hint: "SparkQ reads only the folder it was copied into and the temp dir; " +
              "keep sparkq.yml there (see README: Permissions)",
          },
        );
      }
      throw new SparkqError(
        `no config file at ${p} (from ${flag ? "--config" : "SPARKQ_CONFIG"})`,
        { code: "config", hint: "run 'sparkq setup' first, or fix the path" },
      );
    }
    return p;
  }
  for (let dir = resolvePath("/", cwd);; dir = dirname(dir)) {
    const p = joinPath(dir, CONFIG_NAME);
    if (statFile(p)) return p;
    if (dir === "/") break;
  }
  const launcherDefault = fallback ? Deno.env.get("SPARKQ_DEFAULT_CONFIG") : undefined;
  if (launcherDefault && statFile(launcherDefault)) return launcherDefault;
  throw new SparkqError(
    `no sparkq.yml found in ${cwd} or its parents: run 'sparkq setup' first`,
    { code: "config", hint: "or point --config / SPARKQ_CONFIG at one" },
  );
}

/** Loads and validates a sparkq.yml (through the JSON cache when it is fresh). */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const key = configFingerprint(path);
  if (key === undefined) throw new SparkqError(`no config file at ${path}`, { code: "config" });
  const cachePath = cachePathFor(path);
  let config: Config | undefined;
  try {
    const cached = JSON.parse(Deno.readTextFileSync(cachePath));
    if (cached.v === CACHE_VERSION && cached.key === key && cached.path === path) {
      config = cached.config as Config;
    }
  } catch { /* no cache, or unreadable: parse the YAML */ }
  if (!config) {
    const text = readConfigText(path);
    config = await (await loadCold<typeof ConfigCold>("config")).readConfig(path, text);
    try {
      Deno.writeTextFileSync(
        cachePath,
        JSON.stringify({ v: CACHE_VERSION, key, path, config }),
      );
    } catch { /* a read-only folder only costs speed */ }
  }
  return derive(path, config);
}

/**
 * The config file's fingerprint (size and modification time), or undefined when it is
 * not a readable file. The JSON cache is keyed by it and the server reloads when it
 * changes.
 */
export function configFingerprint(path: string): string | undefined {
  const info = statFile(path);
  return info ? `${info.size}:${info.mtime?.getTime() ?? 0}` : undefined;
}

/** The paths that follow from a config's location. */
export function derive(path: string, config: Config): LoadedConfig {
  const dir = dirname(path);
  return {
    path,
    dir,
    config,
    dbPath: resolvePath(dir, config.database.path),
    lockPath: joinPath(dir, "sparkq.lock"),
    databaseUrl: Deno.env.get(DATABASE_URL_ENV) || config.database.url || undefined,
  };
}

/** Where the JSON cache of a config file lives. */
export function cachePathFor(path: string): string {
  return joinPath(dirname(path), `.${basename(path)}.cache.json`);
}

/** Reads the config file's text with a clear error. */
export function readConfigText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new SparkqError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`, {
      code: e instanceof Deno.errors.NotCapable ? "permission" : "config",
    });
  }
}

/** True when the permission flags forbid reading `p` (as opposed to it being missing). */
function readDenied(p: string): boolean {
  try {
    Deno.statSync(p);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.NotCapable;
  }
}

function statFile(p: string): Deno.FileInfo | undefined {
  try {
    const info = Deno.statSync(p);
    return info.isFile ? info : undefined;
  } catch {
    return undefined; // missing, or outside what SparkQ may read
  }
}
