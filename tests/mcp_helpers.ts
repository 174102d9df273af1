/**
 * Helpers of the MCP tests and benchmark: the SDK's own client connected to
 * `sparkq mcp` (stdio, spawned through a launcher or the source exactly as the CLI
 * tests run SparkQ) or to `/mcp` of a running server (Streamable HTTP), and checks of
 * the answer shapes of SPEC §12.2.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { sparkqCommand, type TempProject } from "./helpers.ts";

export { Client };

/** A connected client and what its server printed on stderr. */
export interface Connected {
  client: Client;
  /** The server process's stderr so far (stdio only). */
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns `sparkq mcp <args>` for project `p` (through its launcher if it has one). */
export async function stdioClient(p: TempProject, args: string[] = []): Promise<Connected> {
  const how = sparkqCommand(["mcp", ...args], {
    cwd: p.dir,
    launcher: p.launcher,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
  });
  const transport = new StdioClientTransport({
    command: how.cmd,
    args: how.args,
    cwd: how.cwd,
    env: how.env,
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Uint8Array) => err += new TextDecoder().decode(d));
  const client = new Client({ name: "sparkq-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

/** Connects to `/mcp` of a server at `url`. */
export async function httpClient(url: string): Promise<Connected> {
  const client = new Client({ name: "sparkq-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return { client, stderr: () => "", close: () => client.close() };
}

/** Calls a tool and returns its raw result. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }) as CallToolResult;
}

function textOf(r: CallToolResult): string {
  const first = r.content[0];
  assert.equal(first?.type, "text", `a text answer: ${JSON.stringify(r)}`);
  return (first as { text: string }).text;
}

/**
 * Calls a tool that must succeed: the text is the JSON of the structured content.
 * Returns the structured content.
 */
// deno-lint-ignore no-explicit-any
export async function ok(client: Client, name: string, args = {}): Promise<any> {
  const r = await call(client, name, args);
  assert.ok(!r.isError, `${name} ${JSON.stringify(args)} was refused: ${JSON.stringify(r)}`);
  assert.deepEqual(JSON.parse(textOf(r)), r.structuredContent, "text and structured agree");
  return r.structuredContent;
}

/**
 * Calls a tool that must be refused with `code`: `isError`, text `code: message`,
 * structured `{error, code, hint?}`. Returns the structured body.
 */
export async function refused(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  code: string,
  pattern?: RegExp,
): Promise<{ error: string; code: string; hint?: string }> {
  const r = await call(client, name, args);
  const where = `${name} ${JSON.stringify(args)}: ${JSON.stringify(r)}`;
  assert.equal(r.isError, true, `refused: ${where}`);
  const body = r.structuredContent as { error: string; code: string; hint?: string };
  assert.equal(body.code, code, where);
  assert.deepEqual(
    Object.keys(body).sort(),
    body.hint === undefined ? ["code", "error"] : ["code", "error", "hint"],
  );
  assert.ok(textOf(r).startsWith(`${code}: ${body.error}`), where);
  if (pattern) assert.match(body.error, pattern, where);
  return body;
}
