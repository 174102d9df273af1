/**
 * `sparkq mcp [--stream S]`: the MCP server over stdio for the project found as usual
 * (SPEC §12.2). The server and its SDK are a cold module: no other command loads them.
 */
import { openProject } from "../cli/context.ts";
import type { Inv } from "../cli/table.ts";
import { loadCold } from "../core/cold.ts";
import type * as McpCold from "../mcp/mod.ts";

/** Serves MCP on stdin/stdout until the client closes stdin. */
export async function mcp(inv: Inv<"mcp">): Promise<number> {
  const p = await openProject(inv);
  const { serveStdio } = await loadCold<typeof McpCold>("mcp");
  return await serveStdio(p, { stream: inv.flags.stream, cwd: inv.cwd });
}
