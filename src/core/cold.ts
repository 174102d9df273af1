/**
 * Cold modules: code that only some commands need (YAML and zod for sparkq.yml, the
 * setup dialogue, the server and web UI) is reached through `loadCold(name)`, so the
 * commands agents call all the time never load it.
 *
 * Under `deno run main.ts` a cold module is its source entry file below. In the
 * single-file bundle, `scripts/build.ts` bundles each entry on its own and replaces
 * the `EMBEDDED` literal with a JSON map from name to a `data:` URL of that bundle.
 * A cold bundle carries its own copy of this file (with the literal unreplaced), so the
 * map is kept on `globalThis` under a registered symbol where every copy finds it.
 *
 * Every byte of dist/sparkq.js is read at each start of every command, so a module
 * listed in `SIDE_FILES` is not embedded: the build writes it next to the bundle as
 * `dist/sparkq-<name>.js` and the map names that file (the MCP SDK alone is as big as
 * all the other cold modules together).
 */
/** The cold entry points, relative to this file. `scripts/build.ts` bundles each. */
export const COLD_ENTRIES = {
  config: "../config/cold.ts",
  setup: "../commands/setup.ts",
  server: "../commands/server_cold.ts",
  jsonschema: "./json_schema.ts",
  mcp: "../mcp/mod.ts",
} as const;

/** A cold module's name. */
export type ColdName = keyof typeof COLD_ENTRIES;

/**
 * Cold modules the bundle keeps in files of their own beside dist/sparkq.js: the MCP
 * server, and the JSON Schema validator (needed only where a tool declares payload
 * rules, so no other start pays for reading it).
 */
export const SIDE_FILES: readonly ColdName[] = ["mcp", "jsonschema"];

/** Where a module of `SIDE_FILES` lives, relative to dist/sparkq.js. */
export function sideFile(name: ColdName): string {
  return `./sparkq-${name}.js`;
}

const EMBEDDED: string = "SPARKQ_EMBEDDED_COLD_MODULES";
const TABLE = Symbol.for("sparkq.cold-modules");
/** This file's URL: the source file, the bundle, or (in a cold bundle) unused. */
const HERE = import.meta.url;
const loading = new Map<ColdName, Promise<unknown>>();

/**
 * Loads a cold module once and returns its exports. The caller names their type
 * (`loadCold<typeof ConfigCold>("config")` with an `import type`), so this file imports
 * nothing above the core; `scripts/check_layers.ts` counts the call as an import of the
 * entry.
 */
export function loadCold<T>(name: ColdName): Promise<T> {
  let p = loading.get(name);
  if (!p) {
    p = import(embeddedUrl(name) ?? new URL(COLD_ENTRIES[name], HERE).href);
    loading.set(name, p);
  }
  return p as Promise<T>;
}

function embeddedUrl(name: ColdName): string | undefined {
  const g = globalThis as unknown as Record<symbol, Record<string, string> | undefined>;
  if (!g[TABLE] && EMBEDDED.startsWith("{")) {
    // Only the main bundle's copy gets here: side files resolve against the bundle.
    const table: Record<string, string> = JSON.parse(EMBEDDED);
    for (const [k, v] of Object.entries(table)) {
      if (!v.startsWith("data:")) table[k] = new URL(v, HERE).href;
    }
    g[TABLE] = table;
  }
  return g[TABLE]?.[name];
}
