/** The MCP `initialize` request the raw-protocol tests send (no SDK client involved). */

/** An MCP `initialize` request (JSON-RPC id 1) from a client called `client`. */
export function mcpInitialize(client = "test"): Record<string, unknown> {
  return {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: client, version: "1" },
    },
  };
}
