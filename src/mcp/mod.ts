/**
 * Cold entry of the MCP server (`loadCold("mcp")`): the SDK is loaded only by
 * `sparkq mcp` (stdio) and by `sparkq run` on the first request to `/mcp`.
 */
export { serveStdio } from "./stdio.ts";
export { handleMcpHttp } from "./http.ts";
export type { McpEnv } from "./tools.ts";
