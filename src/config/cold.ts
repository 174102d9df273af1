/**
 * Cold entry: reading and writing sparkq.yml (the YAML library and zod). Loaded through
 * `loadCold("config")` on a config cache miss, by `setup` and by a reload.
 */
export { parseConfig, readConfig, writeConfig } from "./yaml.ts";
export { checkConfig, defaultConfig } from "./defaults.ts";
