/**
 * The MCP server over the engine (SPEC §12.2), the same for stdio (`sparkq mcp`) and
 * Streamable HTTP (`/mcp` on `sparkq run`): the tools of tools.ts with SparkQ's own
 * argument checks and refusal shape, and two resources — the worker playbook and each
 * stream's instructions.
 *
 * Tools are served through the SDK's low-level request handlers rather than
 * `registerTool`, so that a bad argument is refused like every other refusal
 * (`isError`, text `code: message`, structured `{error, code, hint?}`) instead of the
 * SDK's own validation text.
 *
 * The `@ts-types` lines name the SDK's typings: its exports map gives none for the
 * `….js` subpaths under Deno, which would leave the SDK untyped.
 */
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { errorBody, invalid, isSparkqError, notFound, SparkqError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { listStreamsBrief, requireStream } from "../engine/streams.ts";
import { PLAYBOOK } from "./playbook.ts";
import { type McpEnv, type ToolDef, TOOLS } from "./tools.ts";

const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

/** The `tools/list` answer, built once (JSON Schema of each input, no `$schema` line). */
export const TOOL_LIST = TOOLS.map((t) => {
  const { $schema: _, ...schema } = z.toJSONSchema(t.input, { io: "input" });
  return { name: t.name, description: t.description, inputSchema: schema };
});

const INSTRUCTIONS = "SparkQ task queue. Worker loop: sparkq_claim (wait_seconds up to 300) → " +
  "do the task → sparkq_complete with a summary, or sparkq_fail; sparkq_heartbeat on long " +
  "tasks. Details: resource sparkq://playbook.";

/** Builds an MCP server for `env`; connect it to one transport. */
export function createMcpServer(env: McpEnv, log: (msg: string) => void): McpServer {
  const mcp = new McpServer(
    { name: "sparkq", version: VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOL_LIST }));
  mcp.server.setRequestHandler(
    CallToolRequestSchema,
    (req, extra) => callTool(env, req.params.name, req.params.arguments, extra.signal, log),
  );

  mcp.registerResource(
    "playbook",
    "sparkq://playbook",
    { title: "SparkQ worker playbook", mimeType: "text/markdown" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: PLAYBOOK }] }),
  );
  mcp.registerResource(
    "stream",
    new ResourceTemplate("sparkq://streams/{name}", {
      list: () => ({
        resources: listStreamsBrief(env.project(), { status: "active" }).map((s) => ({
          uri: `sparkq://streams/${encodeURIComponent(s.name)}`,
          name: s.name,
          mimeType: "text/markdown",
        })),
      }),
    }),
    { title: "A stream's instructions", mimeType: "text/markdown" },
    (uri, vars) => {
      const name = decodeURIComponent(String(vars.name));
      const s = requireStream(env.project(), name);
      return {
        contents: [{ uri: uri.href, mimeType: "text/markdown", text: s.instructions ?? "" }],
      };
    },
  );
  return mcp;
}

/** Runs one tool call; every refusal becomes an `isError` result with its code. */
export async function callTool(
  env: McpEnv,
  name: string,
  args: Record<string, unknown> | undefined,
  signal: AbortSignal,
  log: (msg: string) => void,
): Promise<CallToolResult> {
  try {
    const tool = BY_NAME.get(name);
    if (!tool) {
      throw notFound(`no tool named '${name}'`, `tools: ${TOOLS.map((t) => t.name).join(", ")}`);
    }
    const stop = env.closing ? AbortSignal.any([signal, env.closing]) : signal;
    const warnings: string[] = [];
    const value = await tool.run(env, checkArgs(tool, args ?? {}), {
      signal: stop,
      warn: (message) => warnings.push(message),
    });
    // The answer's JSON first; what the CLI would warn about on stderr after it.
    return {
      content: [
        { type: "text", text: JSON.stringify(value) },
        ...warnings.map((w) => ({ type: "text" as const, text: `warning: ${w}` })),
      ],
      structuredContent: value as Record<string, unknown>,
    };
  } catch (e) {
    if (isSparkqError(e)) return refusal(e);
    const message = e instanceof Error ? e.message : String(e);
    log(`error in ${name}: ${message}`);
    return refusal(new SparkqError(`unexpected failure: ${message}`, { code: "internal" }));
  }
}

/** A refusal as a tool result: text `code: message` (and the hint), structured body. */
function refusal(e: SparkqError): CallToolResult {
  const body = errorBody(e);
  return {
    content: [{ type: "text", text: `${e.code}: ${e.message}${e.hint ? `\n${e.hint}` : ""}` }],
    structuredContent: body,
    isError: true,
  };
}

/** Checks a call's arguments against the tool's schema; a refusal names the field. */
function checkArgs(tool: ToolDef, args: Record<string, unknown>): Record<string, unknown> {
  const r = tool.input.safeParse(args);
  if (r.success) return r.data as Record<string, unknown>;
  const issue = r.error.issues[0];
  const field = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    throw invalid(
      `${tool.name}: unknown argument${issue.keys.length > 1 ? "s" : ""} ${
        issue.keys.map((k) => `'${k}'`).join(", ")
      }`,
      `arguments: ${Object.keys(tool.input.shape).join(", ") || "none"}`,
    );
  }
  if (field && !(field in args) && issue.path.length === 1) {
    throw invalid(`${tool.name}: '${field}' is required`);
  }
  throw invalid(`${tool.name}: ${field ? `'${field}': ` : ""}${issue.message}`);
}
