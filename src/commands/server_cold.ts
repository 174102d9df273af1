/**
 * Cold entry: the server and web UI (`run`), the reload that tells a running server,
 * and the script listing. Loaded through `loadCold("server")`.
 */
export { run } from "./run.ts";
export { reloadCommand } from "./reload_cold.ts";
export { scripts } from "./scripts_cmd.ts";
