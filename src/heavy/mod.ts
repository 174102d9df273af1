/**
 * The cold half of SparkQ: everything that needs the YAML parser, full zod, or the
 * server. Reached only through `heavy()` in `src/heavy.ts`.
 */
export { parseConfig, writeConfig } from "../config/yaml.ts";
export { setup } from "../commands/setup.ts";
export { scripts } from "../commands/scripts_cmd.ts";
export { run } from "../commands/run.ts";
export { reloadCommand } from "../commands/reload_cold.ts";
