/**
 * Per-tool payload rules (SPEC §12.1): a tool that declares `payload:` (a JSON Schema,
 * draft 2020-12) in sparkq.yml has every enqueue's payload checked against it, through
 * the CLI, the API, the web UI and the MCP server alike (they all call `enqueue`).
 */
import { loadCold } from "../core/cold.ts";
import { invalid } from "../core/errors.ts";
import type * as JsonSchema from "../core/json_schema.ts";
import type { ResolvedTool } from "./tools.ts";

/**
 * Refuses a payload that breaks its tool's schema, naming the path and the rule
 * (`payload does not match tool 'run-bash': /script_path: required property missing`).
 * Tools without a schema pass at once; the validator is loaded only for one that has.
 */
export async function checkPayloadRules(
  tool: ResolvedTool,
  payload: Record<string, unknown>,
): Promise<void> {
  if (!tool.payload) return;
  const { payloadProblem } = await loadCold<typeof JsonSchema>("jsonschema");
  const bad = payloadProblem(tool.payload, payload);
  if (bad) {
    throw invalid(
      `payload does not match tool '${tool.name}': ${bad.pointer}: ${bad.rule}`,
      `'sparkq tools --json' shows the payload schema of '${tool.name}'`,
    );
  }
}
