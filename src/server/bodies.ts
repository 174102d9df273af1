/**
 * Shapes of the API's request bodies and query strings (zod). They check types and
 * reject unknown fields; the queue rules themselves (payload is an object, result has
 * a summary, names are valid…) stay in the engine.
 */
import { z } from "zod";
import { SparkqError } from "../core/errors.ts";
import { LIFECYCLE_STATUSES, MAX_JSON_BYTES } from "../core/constants.ts";

const text = z.string();
const optText = z.string().nullish();

/** POST /api/sessions */
export const SessionCreate = z.strictObject({ name: text, description: optText });
/** POST /api/streams */
export const StreamCreate = z.strictObject({ name: text, session: text, instructions: optText });
/** POST /api/tasks */
export const TaskCreate = z.strictObject({
  stream: text,
  tool_name: text,
  payload: z.unknown(),
  timeout: z.int().positive().nullish(),
});
/** POST /api/tasks/:id/requeue */
export const Requeue = z.strictObject({ stream: z.string().min(1).nullish() });
/** POST /api/tasks/:id/complete */
export const Complete = z.strictObject({ result: z.unknown(), stdout: optText, stderr: optText });
/** POST /api/tasks/:id/fail */
export const Fail = z.strictObject({
  error: z.unknown(),
  /** Structured facts kept on the failed task (a JSON object), as `fail --result`. */
  result: z.unknown().optional(),
  stdout: optText,
  stderr: optText,
});
/** Bodies that must be empty or `{}` (end, claim, reload). */
export const Empty = z.strictObject({});

/** GET /api/tasks: the known parameters; their values are read by `parseTaskQuery`. */
export const TaskQuery = z.strictObject({
  status: z.string().optional(),
  stream: z.string().optional(),
  stale: z.string().optional(),
  limit: z.string().optional(),
  /** Page cursors (the `Link` header's next and prev carry them). */
  before: z.string().optional(),
  after: z.string().optional(),
  /** Search: an ID prefix, or words of a summary, an error or a payload. */
  q: z.string().optional(),
  /** 1/true: include every task's stdout and stderr. */
  with_output: z.string().optional(),
});
/** GET /api/tasks/:id */
export const TaskShowQuery = z.strictObject({
  /** 1/true: the whole outputs instead of their last 64 KiB. */
  full: z.string().optional(),
});
/** POST /api/tasks/:id/heartbeat */
export const HeartbeatBody = z.strictObject({ note: optText });
/** GET /api/streams */
export const StreamQuery = z.strictObject({
  session: z.string().optional(),
  status: z.enum(LIFECYCLE_STATUSES).optional(),
});
/** GET /api/sessions */
export const SessionQuery = z.strictObject({ status: z.enum(LIFECYCLE_STATUSES).optional() });

/**
 * Largest body of `complete` and `fail`: two 8 MiB outputs plus a result, with room
 * for JSON escaping.
 */
export const MAX_BODY_BYTES = 48 * 1024 * 1024;
/**
 * Largest body of every other request (enqueue, sessions, streams…): a payload at
 * its 1 MiB limit with room for whitespace. The server never buffers more than this
 * of such a request: the 10 clients × 45 MiB of issue 10 are refused at the door.
 */
export const MAX_SMALL_BODY_BYTES = 2 * MAX_JSON_BYTES;

/**
 * Reads a request body as text, refusing (413, `too_large`) one larger than `max`
 * bytes: by its Content-Length before reading, or as soon as a streamed body passes it.
 */
export async function readBody(req: Request, max = MAX_BODY_BYTES): Promise<string> {
  const tooBig = () =>
    new SparkqError(
      `request body is larger than ${max} bytes (payloads and results are limited to ${MAX_JSON_BYTES} bytes of JSON)`,
      { code: "too_large" },
    );
  if (Number(req.headers.get("content-length") ?? 0) > max) throw tooBig();
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      reader.cancel().catch(() => {});
      throw tooBig();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** Parses a JSON request body (empty = `{}`) against `schema`; 400 bad JSON, 422 bad shape. */
export function parseBody<T>(raw: string, schema: z.ZodType<T>): T {
  let data: unknown = {};
  if (raw.trim() !== "") {
    try {
      data = JSON.parse(raw);
    } catch (e) {
      throw new SparkqError(
        `request body is not valid JSON (${e instanceof Error ? e.message : e})`,
        { code: "invalid", status: 400 },
      );
    }
  }
  return check(schema, data, "request body", 422);
}

/** Parses query parameters (empty values count as absent); 400 on a bad one. */
export function parseQuery<T>(params: Record<string, string>, schema: z.ZodType<T>): T {
  const data = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
  return check(schema, data, "query", 400);
}

function check<T>(schema: z.ZodType<T>, data: unknown, what: string, status: number): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  // An unknown field is usually a typo of a missing one: name both.
  const issues = [...r.error.issues].sort((a, b) =>
    Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys")
  ).slice(0, 2);
  const message = issues.map((issue, i) => {
    const field = issue.path.join(".");
    const subject = i === 0 ? what : "";
    if (issue.code === "unrecognized_keys") {
      return `${subject} has unknown field${issue.keys.length > 1 ? "s" : ""} ${
        issue.keys.map((k) => `'${k}'`).join(", ")
      }`.trim();
    }
    if (issue.code === "invalid_type" && valueAt(data, issue.path) === undefined) {
      return field
        ? `${subject ? subject + ": " : ""}'${field}' is required`
        : `${what} is required`;
    }
    return `${subject ? subject + ": " : ""}${field ? `'${field}': ` : ""}${issue.message}`;
  }).join("; ");
  throw new SparkqError(message, { code: "invalid", status });
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let v = data;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
