/**
 * The cold half of SparkQ: everything that needs the YAML parser, full zod, or the
 * server. Reached only through `heavy()` in `src/heavy.ts`.
 */
export { parseConfig, writeConfig } from "../config/yaml.ts";
export { setup } from "../commands/setup.ts";
// Filled in by the server and script-index work:
export const scripts = (): Promise<number> => Promise.reject(new Error("not built yet"));
export const run = (): Promise<number> => Promise.reject(new Error("not built yet"));
