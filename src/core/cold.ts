/**
 * Cold modules: code that only some commands need (YAML and zod for sparkq.yml, the
 * setup dialogue, the server and web UI, the JSON Schema validator, the MCP server) is
 * reached through `loadCold(name)`, so the commands agents call all the time never load
 * it.
 *
 * Under `deno run main.ts` (and in the compiled binary) a cold module is its source
 * entry file below. For the launcher, `scripts/build.ts` bundles each entry on its own
 * into `dist/sparkq-<name>.js` beside `dist/sparkq.js`, and replaces the `EMBEDDED`
 * literal with a JSON map from name to that file. A cold bundle carries its own copy of
 * this file (with the literal unreplaced), so the map is kept on `globalThis` under a
 * registered symbol where every copy finds it. Every byte of `dist/sparkq.js` is read at
 * each start of every command: that is why no cold module is inside it.
 */
/** The cold entry points, relative to this file. `scripts/build.ts` bundles each. */
export const COLD_ENTRIES = {
  config: "../config/cold.ts",
  setup: "../commands/setup.ts",
  server: "../commands/server_cold.ts",
  jsonschema: "./json_schema.ts",
  mcp: "../mcp/mod.ts",
  rare: "../commands/rare_cold.ts",
  postgres: "../storage/postgres/mod.ts",
  pgworker: "../storage/postgres/worker.ts",
  dbcopy: "../commands/db_copy.ts",
} as const;

/** A cold module's name. */
export type ColdName = keyof typeof COLD_ENTRIES;

/** The file of a cold module's bundle, relative to dist/sparkq.js. */
export function coldFile(name: ColdName): string {
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
    p = import(coldUrl(name));
    loading.set(name, p);
  }
  return p as Promise<T>;
}

/**
 * The URL of a cold module's file without loading it here: for a module that runs
 * elsewhere (the PostgreSQL worker's thread).
 */
export function coldUrl(name: ColdName): string {
  return embeddedUrl(name) ?? new URL(COLD_ENTRIES[name], HERE).href;
}

function embeddedUrl(name: ColdName): string | undefined {
  const g = globalThis as unknown as Record<symbol, Record<string, string> | undefined>;
  if (!g[TABLE] && EMBEDDED.startsWith("{")) {
    // Only the main bundle's copy gets here: the files resolve against the bundle.
    const table: Record<string, string> = JSON.parse(EMBEDDED);
    for (const [k, v] of Object.entries(table)) table[k] = new URL(v, HERE).href;
    g[TABLE] = table;
  }
  return g[TABLE]?.[name];
}
