/**
 * Re-reading what `sparkq reload` refreshes (SPEC §6): sparkq.yml (the tool registry
 * above all) bypassing its JSON cache, and the script index. Used by the `reload`
 * command and by the server's POST /api/reload, so both do exactly the same thing.
 */
import { cachePathFor, loadConfig, type LoadedConfig } from "../config/load.ts";
import { buildScriptIndex, type ScriptIndex } from "../engine/script_index.ts";

/** A freshly read config and script index. */
export interface Reloaded {
  loaded: LoadedConfig;
  index: ScriptIndex;
}

/** What a reload reports (the JSON answer of POST /api/reload). */
export interface ReloadSummary {
  config: string;
  tools: string[];
  scripts: number;
  warnings: string[];
}

/** Parses and validates `configPath` afresh (its cache is rebuilt) and rebuilds the index. */
export async function reloadFromDisk(configPath: string): Promise<Reloaded> {
  try {
    Deno.removeSync(cachePathFor(configPath));
  } catch { /* no cache yet, or read-only folder */ }
  const loaded = await loadConfig(configPath);
  return { loaded, index: buildScriptIndex(loaded) };
}

/** The summary of a reload. */
export function summarize(r: Reloaded): ReloadSummary {
  return {
    config: r.loaded.path,
    tools: Object.keys(r.loaded.config.tools),
    scripts: r.index.scripts.length,
    warnings: r.index.warnings,
  };
}
