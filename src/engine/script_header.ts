/**
 * The script header (SPEC §6): a script's leading comment block declaring
 * `# name:`, `# description:`, `# inputs:`, `# outputs:` and `# tags:`. The block
 * ends at the first line that is not a `#` comment; `#!` lines are skipped.
 */

/** What a script's header declares. */
export interface ScriptHeader {
  name: string;
  description: string;
  inputs: string;
  outputs: string;
  tags: string[];
}

const FIELD = /^(name|description|inputs|outputs|tags)\s*:\s*(.*)$/i;

/**
 * Reads the header of a script's text; undefined when the leading comment block
 * declares no (non-empty) `name:`. A field given twice keeps both lines.
 */
export function parseHeader(text: string): ScriptHeader | undefined {
  const fields: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "").trim();
    if (line.startsWith("#!")) continue;
    if (!line.startsWith("#")) break;
    const m = FIELD.exec(line.replace(/^#+\s*/, ""));
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = m[2].trim();
    fields[key] = fields[key] ? `${fields[key]}\n${value}` : value;
  }
  const name = fields.name?.split("\n")[0];
  if (!name) return undefined;
  return {
    name,
    description: fields.description ?? "",
    inputs: fields.inputs ?? "",
    outputs: fields.outputs ?? "",
    tags: (fields.tags ?? "").split(/[\s,]+/).filter((t) => t !== ""),
  };
}
