/**
 * Cold entry "jsonschema": per-tool payload rules (SPEC §12.1). A tool in sparkq.yml may
 * declare `payload:`, a JSON Schema (draft 2020-12); `@cfworker/json-schema` (a small,
 * maintained validator that needs no code generation) checks payloads against it.
 * Loaded through `loadCold("jsonschema")` only when a tool declares a schema, so tools
 * without one and the hot commands never load it.
 *
 * A tool's schema is itself checked when sparkq.yml is read: against SparkQ's own
 * description of the keywords it accepts (`SCHEMA_RULES`, checked by the same
 * validator), so a typo such as `requird` is a config error instead of a rule that
 * silently never applies.
 */
import { type OutputUnit, type Schema, Validator } from "@cfworker/json-schema";

/** Where a value breaks a rule: a JSON pointer into the value, and the rule in words. */
export interface SchemaProblem {
  /** JSON pointer (`/args/0`; `/` for the whole value). */
  pointer: string;
  /** The pointer's segments (for finding a line in sparkq.yml). */
  path: string[];
  /** What is wrong, in words (`required property missing`, `type: must be string, got number`). */
  rule: string;
}

const DRAFT = "2020-12";
const schemaRef = { $ref: "#/$defs/schema" };
const schemaMap = { type: "object", additionalProperties: schemaRef };
const schemaList = { type: "array", minItems: 1, items: schemaRef };
const count = { type: "integer", minimum: 0 };
const names = { type: "array", items: { type: "string" }, uniqueItems: true };
const TYPES = ["null", "boolean", "object", "array", "number", "string", "integer"];

/**
 * The keywords of draft 2020-12 a payload schema may use, with the shape of each value.
 * Unknown keywords are refused (they would be ignored, which hides typos); so are
 * `$id`, anchors and `$dynamicRef` (references stay inside the schema: `#/$defs/…`).
 */
const SCHEMA_RULES = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $ref: "#/$defs/schema",
  $defs: {
    schema: {
      type: ["object", "boolean"],
      additionalProperties: false,
      properties: {
        $schema: { const: "https://json-schema.org/draft/2020-12/schema" },
        $ref: { type: "string", pattern: "^#(/.*)?$" },
        $defs: schemaMap,
        $comment: { type: "string" },
        title: { type: "string" },
        description: { type: "string" },
        default: true,
        examples: { type: "array" },
        deprecated: { type: "boolean" },
        readOnly: { type: "boolean" },
        writeOnly: { type: "boolean" },
        type: {
          anyOf: [
            { enum: TYPES },
            { type: "array", minItems: 1, uniqueItems: true, items: { enum: TYPES } },
          ],
        },
        enum: { type: "array" },
        const: true,
        allOf: schemaList,
        anyOf: schemaList,
        oneOf: schemaList,
        not: schemaRef,
        if: schemaRef,
        then: schemaRef,
        else: schemaRef,
        properties: schemaMap,
        patternProperties: { ...schemaMap, propertyNames: { format: "regex" } },
        additionalProperties: schemaRef,
        unevaluatedProperties: schemaRef,
        propertyNames: schemaRef,
        required: names,
        dependentRequired: { type: "object", additionalProperties: names },
        dependentSchemas: schemaMap,
        minProperties: count,
        maxProperties: count,
        prefixItems: schemaList,
        items: schemaRef,
        contains: schemaRef,
        unevaluatedItems: schemaRef,
        minItems: count,
        maxItems: count,
        minContains: count,
        maxContains: count,
        uniqueItems: { type: "boolean" },
        minLength: count,
        maxLength: count,
        pattern: { type: "string", format: "regex" },
        format: { type: "string" },
        contentEncoding: { type: "string" },
        contentMediaType: { type: "string" },
        contentSchema: schemaRef,
        minimum: { type: "number" },
        maximum: { type: "number" },
        exclusiveMinimum: { type: "number" },
        exclusiveMaximum: { type: "number" },
        multipleOf: { type: "number", exclusiveMinimum: 0 },
      },
    },
  },
};

let rules: Validator | undefined;
const compiled = new WeakMap<object, Validator>();

/**
 * Checks a tool's payload schema: the keywords SparkQ accepts, each with a value of the
 * right shape, and every `$ref` pointing at a part of the schema that exists. Returns
 * the first problem (its pointer is into the schema), or null when the schema is good.
 */
export function schemaProblem(schema: unknown): SchemaProblem | null {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return problem("", "a payload schema must be a mapping (a JSON Schema object)");
  }
  rules ??= new Validator(SCHEMA_RULES as Schema, DRAFT, true);
  const out = rules.validate(schema);
  if (!out.valid) return explain(out.errors, true);
  return danglingRef(schema as Record<string, unknown>);
}

/**
 * Checks a payload against a tool's schema (already accepted by `schemaProblem`).
 * Returns the first problem (its pointer is into the payload), or null.
 */
export function payloadProblem(
  schema: Record<string, unknown>,
  payload: unknown,
): SchemaProblem | null {
  let v = compiled.get(schema);
  if (!v) {
    v = new Validator(schema as Schema, DRAFT, true);
    compiled.set(schema, v);
  }
  const out = v.validate(payload);
  return out.valid ? null : explain(out.errors, false);
}

/** A problem at the JSON pointer `pointer` ("" or "/a/0"). */
function problem(pointer: string, rule: string): SchemaProblem {
  const path = pointer === "" ? [] : pointer.slice(1).split("/").map(unescape);
  return { pointer: pointer === "" ? "/" : pointer, path, rule };
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/**
 * Turns the validator's errors (outermost first, the innermost one last) into one
 * problem: where the innermost rule broke and which rule it was.
 */
function explain(errors: OutputUnit[], inSchema: boolean): SchemaProblem {
  const last = errors[errors.length - 1];
  const parent = errors[errors.length - 2];
  const at = decodePointer(last.instanceLocation);
  const text = last.error.replace(/^Instance /, "").replace(/\.$/, "");
  const typeKeyword = errors.find((e) =>
    e.keyword === "anyOf" && /\/type\/anyOf$/.test(e.keywordLocation)
  );
  if (inSchema && typeKeyword) {
    return problem(
      decodePointer(typeKeyword.instanceLocation),
      `must be one of ${TYPES.join(", ")}, or a list of them`,
    );
  }
  switch (last.keyword) {
    case "required": {
      const key = /required property "(.*)"$/.exec(text)?.[1] ?? "?";
      return problem(`${at}/${escape(key)}`, "required property missing");
    }
    case "false":
      if (
        parent?.keyword === "additionalProperties" || parent?.keyword === "unevaluatedProperties"
      ) {
        const key = unescape(at.slice(at.lastIndexOf("/") + 1));
        return problem(
          at,
          inSchema
            ? `unknown keyword '${key}' (payload schemas use JSON Schema draft 2020-12 keywords)`
            : `property not allowed (${parent.keyword} is false)`,
        );
      }
      return problem(at, "not allowed here (the schema says false)");
    case "type": {
      const expected = /Expected (.*)$/.exec(text)?.[1]?.replace(/"/g, "") ?? "another type";
      const got = /type "(\w+)"/.exec(text)?.[1] ?? "another type";
      return problem(at, `type: must be ${expected.replace(/, /g, " or ")}, got ${got}`);
    }
    case "format":
      if (inSchema) return problem(at, "not a valid regular expression");
      return problem(at, `format: ${text.toLowerCase()}`);
    default:
      return problem(at, `${last.keyword}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`);
  }
}

function escape(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** "#/a%20b/0" (the validator's URI-encoded form) → "/a b/0" (still ~-escaped). */
function decodePointer(location: string): string {
  const raw = location.replace(/^#/, "");
  return raw.split("/").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  }).join("/");
}

/** The first `$ref` whose JSON pointer does not lead to a part of the schema. */
function danglingRef(root: Record<string, unknown>): SchemaProblem | null {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (!Array.isArray(node)) {
      const ref = (node as Record<string, unknown>).$ref;
      if (typeof ref === "string" && resolve(root, ref.slice(1)) === undefined) {
        return problem(`${at}/$ref`, `$ref '${ref}' points at nothing in this schema`);
      }
    }
    for (const [k, v] of Object.entries(node)) {
      if (!Array.isArray(node) && DATA_KEYWORDS.has(k)) continue; // values, not schemas
      stack.push([v, `${at}/${escape(k)}`]);
    }
  }
  return null;
}

const DATA_KEYWORDS = new Set(["const", "enum", "default", "examples"]);

function resolve(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let v: unknown = root;
  for (const seg of pointer.slice(1).split("/")) {
    let key: string;
    try {
      key = unescape(decodeURIComponent(seg));
    } catch {
      return undefined;
    }
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
