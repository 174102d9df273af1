/**
 * sparkq.yml as YAML: parse and validate with precise errors (file, line, what was
 * expected), and write it back keeping the user's comments. The only module that
 * imports the YAML library.
 */
import { type Document, isMap, isSeq, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { SparkqError } from "../core/errors.ts";
import { loadCold } from "../core/cold.ts";
import type * as JsonSchema from "../core/json_schema.ts";
import { type Config, ConfigSchema } from "./schema.ts";

/**
 * Reads a sparkq.yml: `parseConfig`, then the payload schemas its tools declare
 * (SPEC §12.1), checked by the JSON Schema validator, which is loaded only when a
 * tool declares one. A bad schema is a config error naming its line.
 */
export async function readConfig(path: string, text: string): Promise<Config> {
  const config = parseConfig(path, text);
  const declared = Object.entries(config.tools).filter(([, t]) => t.payload !== undefined);
  if (declared.length === 0) return config;
  const { schemaProblem } = await loadCold<typeof JsonSchema>("jsonschema");
  for (const [name, tool] of declared) {
    const bad = schemaProblem(tool.payload);
    if (!bad) continue;
    const at = ["tools", name, "payload", ...bad.path];
    const lines = new LineCounter();
    const line = lineOf(parseDocument(text, { lineCounter: lines }), lines, at);
    throw new SparkqError(
      `${path}${line ? `:${line}` : ""}: ${at.join(".")}: ${bad.rule}`,
      {
        code: "config",
        hint: "a tool's payload is a JSON Schema (draft 2020-12); see sparkq.yml.example",
      },
    );
  }
  return config;
}

/** Parses and validates the text of a sparkq.yml; throws a SparkqError naming the line. */
export function parseConfig(path: string, text: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = lines.linePos(err.pos[0]).line;
    throw new SparkqError(
      `${path}:${line}: invalid YAML: ${
        err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")
      }`,
      { code: "config", hint: "fix the file, or re-run 'sparkq setup' to rewrite it" },
    );
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new SparkqError(
      `${path}:1: expected a mapping of settings (project, server, tools, …)`,
      { code: "config" },
    );
  }
  const parsed = ConfigSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path as (string | number)[];
    const line = lineOf(
      doc,
      lines,
      issue.code === "unrecognized_keys" ? [...at, issue.keys[0]] : at,
    );
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new SparkqError(
      `${path}${line ? `:${line}` : ""}: ${where}: ${describe(issue, data)}`,
      { code: "config", hint: "see sparkq.yml.example for every key and its type" },
    );
  }
  return parsed.data;
}

/** Writes `config` to `path`, keeping comments and layout of an existing file. */
export function writeConfig(path: string, config: Config, existingText?: string): void {
  let doc: Document;
  if (existingText !== undefined) {
    doc = parseDocument(existingText);
    if (doc.errors.length > 0) doc = parseDocument("");
  } else {
    doc = parseDocument(HEADER);
  }
  setDeep(doc, [], config as unknown as Record<string, unknown>);
  Deno.writeTextFileSync(path, doc.toString({ lineWidth: 0 }));
}

const HEADER = `# SparkQ configuration. Written by 'sparkq setup'; edit freely.
# Paths are relative to this file's folder unless absolute. See sparkq.yml.example.
`;

function setDeep(doc: Document, path: (string | number)[], value: unknown): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const node = path.length ? doc.getIn(path, true) : doc.contents;
    if (!isMap(node)) doc.setIn(path.length ? path : [], undefined);
    if (!path.length && !isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
    if (path.length && !isMap(doc.getIn(path, true))) doc.setIn(path, doc.createNode({}));
    const existing = path.length ? doc.getIn(path, true) : doc.contents;
    if (isMap(existing)) {
      for (const item of [...existing.items]) {
        const k = String((item.key as { value?: unknown })?.value ?? item.key);
        if (!(k in (value as Record<string, unknown>))) existing.delete(item.key);
      }
    }
    for (const [k, v] of Object.entries(value)) setDeep(doc, [...path, k], v);
    return;
  }
  const current = doc.getIn(path);
  if (Array.isArray(value)) {
    const node = doc.getIn(path, true);
    if (isSeq(node) && JSON.stringify(current) === JSON.stringify(value)) return;
  } else if (current === value) return;
  doc.setIn(path, value === undefined ? null : value);
}

function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range) return lines.linePos(range[0]).line;
    // a missing key: point at its parent mapping
  }
  return undefined;
}

function describe(issue: z.core.$ZodIssue, data: unknown): string {
  const got = valueAt(data, issue.path as (string | number)[]);
  const shown = got === undefined ? "nothing" : JSON.stringify(got);
  switch (issue.code) {
    case "invalid_value":
      return `expected one of ${issue.values.map(String).join(", ")}, got ${shown}`;
    case "invalid_type":
      return got === undefined
        ? `missing: expected ${kind(issue.expected)}`
        : `expected ${kind(issue.expected)}, got ${shown}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${
        issue.keys.map((k) => `'${k}'`).join(", ")
      }`;
    case "too_small":
      if (issue.origin === "string") return `expected a non-empty string, got ${shown}`;
      if (issue.origin === "array") {
        return `expected at least ${issue.minimum} item(s), got ${shown}`;
      }
      return `expected ${
        !issue.inclusive && Number(issue.minimum) === 0
          ? "a positive number"
          : `at least ${issue.minimum}`
      }, got ${shown}`;
    case "too_big":
      return `expected at most ${issue.maximum}, got ${shown}`;
    case "invalid_format": // the schema's own words when it gives some (database.url)
      return /^Invalid/.test(issue.message)
        ? `invalid format, got ${shown}`
        : `${issue.message}, got ${shown}`;
    case "invalid_key":
      return `invalid name ${shown}: tool names are letters, digits, '.', '_' and '-'`;
    default:
      return `${issue.message}, got ${shown}`;
  }
}

function kind(expected: string): string {
  const names: Record<string, string> = {
    object: "a mapping",
    record: "a mapping",
    array: "a list",
    int: "a whole number",
    number: "a number",
    string: "a string",
    boolean: "true or false",
  };
  return names[expected] ?? expected;
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
