/**
 * The JSON API (SPEC §8). Every route is a thin caller of the engine; bodies and
 * answers use the CLI's `--json` shapes. Creation answers 201 (sessions, streams,
 * tasks, requeue, a bulk requeue that made copies); a claim of an empty stream answers
 * 204. `GET /tasks` pages by cursor: the `Link` header names the next and previous pages. Errors are
 * `{ "error": "…", "code": "…", "hint"?: "…" }` (SPEC §12.1) with the SparkqError's
 * status (404 unknown, 409 wrong state or duplicate, 400 bad JSON or query, 422 bad
 * body values).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import {
  claim,
  complete,
  enqueue,
  fail,
  getTask,
  requeue,
  requeueFailed,
} from "../engine/queue.ts";
import { pageTasks } from "../engine/task_page.ts";
import { createSession, endSession, listSessions } from "../engine/sessions.ts";
import { heartbeat } from "../engine/heartbeat.ts";
import { parseSwitch, parseTaskQuery } from "../engine/task_query.ts";
import { overview } from "../engine/status.ts";
import { createStream, endStream, listStreams } from "../engine/streams.ts";
import { listTools } from "../engine/tools.ts";
import { VERSION } from "../core/version.ts";
import {
  Complete,
  Empty,
  Fail,
  HeartbeatBody,
  MAX_BODY_BYTES,
  MAX_SMALL_BODY_BYTES,
  parseBody,
  parseQuery,
  readBody,
  Requeue,
  SessionCreate,
  SessionQuery,
  StreamCreate,
  StreamQuery,
  TaskCreate,
  TaskQuery,
  TaskShowQuery,
} from "./bodies.ts";
import { baseUrl, type ServerContext } from "./context.ts";

/** The `/api` routes. */
export function apiRoutes(s: ServerContext): Hono {
  const api = new Hono();
  const ctx = () => s.project;
  const body = async <T>(
    c: Context,
    schema: Parameters<typeof parseBody<T>>[1],
    max = MAX_SMALL_BODY_BYTES,
  ) => parseBody(await readBody(c.req.raw, max), schema);
  const created = (c: Context, value: unknown) => c.json(value, 201);

  // Any write may change what the UI shows: tell the live feed at once.
  api.use("*", async (c, next) => {
    await next();
    if (c.req.method !== "GET" && c.req.method !== "HEAD") s.feed.poke();
  });

  api.get("/health", (c) => c.json(health(s)));
  api.get("/status", (c) => c.json(statusOf(s)));
  api.get("/events", () => s.feed.response());

  api.get("/sessions", (c) => {
    const q = parseQuery(c.req.query(), SessionQuery);
    return c.json(listSessions(ctx(), q.status));
  });
  api.post(
    "/sessions",
    async (c) => created(c, createSession(ctx(), await body(c, SessionCreate))),
  );
  api.post("/sessions/:name/end", async (c) => {
    await body(c, Empty);
    return c.json(endSession(ctx(), c.req.param("name")));
  });

  api.get("/streams", (c) => c.json(listStreams(ctx(), parseQuery(c.req.query(), StreamQuery))));
  api.post("/streams", async (c) => created(c, createStream(ctx(), await body(c, StreamCreate))));
  api.post("/streams/:name/end", async (c) => {
    await body(c, Empty);
    return c.json(endStream(ctx(), c.req.param("name")));
  });
  api.post("/streams/:name/requeue-failed", async (c) => {
    await body(c, Empty);
    const r = requeueFailed(ctx(), c.req.param("name"));
    return c.json(r, r.requeued.length ? 201 : 200);
  });
  api.post("/streams/:name/claim", async (c) => {
    await body(c, Empty);
    const task = claim(ctx(), c.req.param("name"));
    return task ? c.json(task) : c.body(null, 204);
  });

  api.get("/tasks", (c) => {
    const q = parseQuery(c.req.query(), TaskQuery);
    const withOutput = parseSwitch(q.with_output, "'with_output'");
    const page = pageTasks(ctx(), parseTaskQuery(q), { withOutput });
    // The neighbouring pages, as RFC 8288 links: this URL with the cursor swapped.
    const links = (["next", "prev"] as const).flatMap((rel) => {
      const cursor = page[rel];
      if (!cursor) return [];
      const url = new URL(c.req.url);
      url.searchParams.delete("before");
      url.searchParams.delete("after");
      url.searchParams.set(rel === "next" ? "before" : "after", cursor);
      return [`<${url.pathname}${url.search}>; rel="${rel}"`];
    });
    if (links.length) c.header("link", links.join(", "));
    return c.json(page.tasks);
  });
  api.post("/tasks", async (c) => {
    const b = await body(c, TaskCreate);
    return created(
      c,
      await enqueue(ctx(), {
        stream: b.stream,
        tool: b.tool_name,
        payload: b.payload,
        timeout: b.timeout,
      }),
    );
  });
  api.get("/tasks/:id", (c) => {
    const full = parseSwitch(parseQuery(c.req.query(), TaskShowQuery).full, "'full'");
    return c.json(getTask(ctx(), c.req.param("id"), { full }));
  });
  api.post("/tasks/:id/heartbeat", async (c) => {
    const b = await body(c, HeartbeatBody);
    return c.json(heartbeat(ctx(), c.req.param("id"), { note: b.note }));
  });
  api.post("/tasks/:id/requeue", async (c) => {
    const b = await body(c, Requeue);
    return created(c, requeue(ctx(), c.req.param("id"), { stream: b.stream ?? undefined }));
  });
  api.post("/tasks/:id/complete", async (c) => {
    const b = await body(c, Complete, MAX_BODY_BYTES);
    return c.json(complete(ctx(), c.req.param("id"), b));
  });
  api.post("/tasks/:id/fail", async (c) => {
    const b = await body(c, Fail, MAX_BODY_BYTES);
    return c.json(fail(ctx(), c.req.param("id"), b));
  });

  api.get("/tools", (c) => c.json(listTools(ctx().config)));
  api.get("/scripts", (c) => c.json(s.index.scripts));
  api.post("/reload", async (c) => {
    await body(c, Empty);
    return c.json(await s.reload());
  });

  api.all(
    "*",
    (c) => c.json({ error: `no API route ${c.req.method} ${c.req.path}`, code: "not_found" }, 404),
  );
  return api;
}

/** The answer of GET /api/health. */
export function health(s: ServerContext) {
  return {
    status: "ok",
    version: VERSION,
    pid: Deno.pid,
    port: s.port,
    project: s.project.config.project.name,
    started_at: s.startedAt,
  };
}

/** The answer of GET /api/status: `sparkq status --json`'s shape. */
export function statusOf(s: ServerContext) {
  return {
    server: {
      running: true,
      pid: Deno.pid,
      port: s.port,
      url: baseUrl(s),
      version: VERSION,
      started_at: s.startedAt,
    },
    ...overview(s.project),
    config: s.project.loaded.path,
    database: s.project.db.path,
  };
}
