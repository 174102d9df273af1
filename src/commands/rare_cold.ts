/**
 * Cold module "rare" (src/core/cold.ts): the handlers of the commands that are not on
 * an agent's hot path — `status`, `report`, `follow`, `watch`, `stop`, `completions`.
 * They carry the report renderers, the feed, the watcher and the completion scripts,
 * which `peek`, `claim`, `enqueue`, `complete` and the rest should not read at every
 * start; `src/cli/commands.ts` reaches them through `loadCold("rare")`.
 */
export { status } from "./status.ts";
export { report } from "./report.ts";
export { follow } from "./follow.ts";
export { watch } from "./watch.ts";
export { stop } from "./stop.ts";
export { completions } from "./completions.ts";
