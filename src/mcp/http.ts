/**
 * MCP over Streamable HTTP at `/mcp` on `sparkq run` (SPEC §12.2), stateless: each POST
 * gets a fresh server and transport, answered as JSON. The app has already applied the
 * API's Host and Origin checks; the body is read here under the API's size limit.
 * GET (a server-to-client event stream) and DELETE (ending a session) have nothing to
 * do without sessions and are answered 405.
 */
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isSparkqError } from "../core/errors.ts";
import { readBody } from "../server/bodies.ts";
import { createMcpServer } from "./server.ts";
import type { McpEnv } from "./tools.ts";

/** A JSON-RPC error answer with no request id. */
function rpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, {
    status,
    headers: status === 405 ? { allow: "POST" } : {},
  });
}

/** Answers one request to `/mcp`. */
export async function handleMcpHttp(
  req: Request,
  env: McpEnv,
  log: (msg: string) => void,
): Promise<Response> {
  if (req.method !== "POST") {
    return rpcError(405, -32000, `${req.method} is not supported: this server is stateless`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (e) {
    if (isSparkqError(e)) return rpcError(e.status, -32600, e.message);
    return rpcError(400, -32700, `parse error: ${e instanceof Error ? e.message : e}`);
  }
  const closing = env.closing ? AbortSignal.any([env.closing, req.signal]) : req.signal;
  const mcp = createMcpServer({ ...env, closing }, log);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await mcp.connect(transport);
  try {
    return await transport.handleRequest(req, { parsedBody: body });
  } finally {
    await mcp.close().catch(() => {});
  }
}
