/**
 * Each command's handler, loaded lazily by name. The declarations are in
 * src/cli/table.ts; handlers live in `src/commands/`, and the ones that need YAML, zod
 * or the server are reached through `loadCold()` (src/core/cold.ts) so the hot
 * commands stay fast. The type of `LOADERS` checks every handler against the
 * invocation its declaration implies.
 */
import { loadCold } from "../core/cold.ts";
import type * as SetupCold from "../commands/setup.ts";
import type * as ServerCold from "../commands/server_cold.ts";
import type * as RareCold from "../commands/rare_cold.ts";
import type * as DbCopyCold from "../commands/db_copy.ts";
import type { Invocation } from "./spec.ts";
import type { CommandName, Handler, Inv } from "./table.ts";

export { COMMANDS } from "./table.ts";

/** The commands that are not on an agent's hot path: one cold module beside the bundle. */
function rare(): Promise<typeof RareCold> {
  return loadCold<typeof RareCold>("rare");
}

/** The lazy loader of every command's handler. */
export const LOADERS: { [N in CommandName]: () => Promise<Handler<N>> } = {
  setup: () => loadCold<typeof SetupCold>("setup").then((m) => m.setup),
  status: () => rare().then((m) => m.status),
  reload: () => import("../commands/reload.ts").then((m) => m.reload),
  "db copy": () => loadCold<typeof DbCopyCold>("dbcopy").then((m) => m.dbCopy),
  "session create": () => import("../commands/session.ts").then((m) => m.sessionCreate),
  "session list": () => import("../commands/session.ts").then((m) => m.sessionList),
  "session end": () => import("../commands/session.ts").then((m) => m.sessionEnd),
  "stream create": () => import("../commands/stream.ts").then((m) => m.streamCreate),
  "stream list": () => import("../commands/stream.ts").then((m) => m.streamList),
  "stream end": () => import("../commands/stream.ts").then((m) => m.streamEnd),
  enqueue: () => import("../commands/enqueue.ts").then((m) => m.enqueue),
  peek: () => import("../commands/peek.ts").then((m) => m.peek),
  claim: () => import("../commands/claim.ts").then((m) => m.claim),
  complete: () => import("../commands/finish.ts").then((m) => m.complete),
  fail: () => import("../commands/finish.ts").then((m) => m.fail),
  heartbeat: () => import("../commands/heartbeat.ts").then((m) => m.heartbeat),
  tasks: () => import("../commands/tasks.ts").then((m) => m.tasks),
  task: () => import("../commands/task.ts").then((m) => m.task),
  requeue: () => import("../commands/requeue.ts").then((m) => m.requeue),
  purge: () => import("../commands/purge.ts").then((m) => m.purge),
  report: () => rare().then((m) => m.report),
  follow: () => rare().then((m) => m.follow),
  tools: () => import("../commands/tools.ts").then((m) => m.tools),
  scripts: () => loadCold<typeof ServerCold>("server").then((m) => m.scripts),
  run: () => loadCold<typeof ServerCold>("server").then((m) => m.run),
  stop: () => rare().then((m) => m.stop),
  watch: () => rare().then((m) => m.watch),
  wait: () => import("../commands/wait.ts").then((m) => m.wait),
  mcp: () => import("../commands/mcp.ts").then((m) => m.mcp),
  completions: () => rare().then((m) => m.completions),
};

/** Loads and runs the handler of a parsed invocation; returns its exit code. */
export async function runCommand(inv: Invocation): Promise<number> {
  const name = inv.command as CommandName;
  // The one place the parser's output meets the typed handlers: parseArgs has checked
  // `inv` against the declaration of `name`, which is what `Inv<name>` is inferred from.
  const handler = await LOADERS[name]() as (inv: Inv<CommandName>) => Promise<number | void>;
  return (await handler(inv as unknown as Inv<CommandName>)) ?? 0;
}
