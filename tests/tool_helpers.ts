/**
 * Test helpers for tools declared in a project's sparkq.yml: adding one by hand (as a
 * user edits the file), and a tool with payload rules (SPEC §12.1) the tests share.
 */
import assert from "node:assert/strict";
import type { TempProject } from "./helpers.ts";

/** A tool with payload rules, as a user writes it under `tools:`. */
export const DEPLOY_TOOL = `  deploy:
    description: Deploy one service with a script
    task_class: MEDIUM_SCRIPT
    payload:
      type: object
      required: [script_path]
      properties:
        script_path: { type: string, minLength: 1 }
        args:
          type: array
          items: { type: string }
      additionalProperties: false
`;

/** Adds `tool` (YAML lines, indented under `tools:`) at the top of the project's tools. */
export async function addTool(p: TempProject, tool: string): Promise<void> {
  const yml = `${p.dir}/sparkq.yml`;
  const text = await Deno.readTextFile(yml);
  assert.match(text, /^tools:\n/m);
  await Deno.writeTextFile(yml, text.replace(/^tools:\n/m, `tools:\n${tool}`));
}
