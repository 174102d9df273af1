/**
 * `sparkq reload`. A hot-path module: it imports nothing heavy itself; the work (YAML,
 * zod, the script index) is in the cold half, `reloadCommand` in the server cold module.
 */
import type { Inv } from "../cli/table.ts";
import { loadCold } from "../core/cold.ts";
import type * as ServerCold from "./server_cold.ts";

/** `reload`: re-read tools and the script index, and tell a running server. */
export async function reload(inv: Inv<"reload">): Promise<number> {
  return (await loadCold<typeof ServerCold>("server")).reloadCommand(inv);
}
