/**
 * The HTTP application: the localhost guard on every request, security headers on
 * every answer, the JSON API under /api and the web UI. Errors become JSON
 * `{ "error": … }` under /api and an HTML page elsewhere; a bug answers 500 and is
 * logged, never crashing the server.
 */
import { Hono } from "hono";
import { asDiskFull, errorBody, isSparkqError } from "../core/errors.ts";
import { errorPage, uiRoutes } from "../ui/routes.tsx";
import { loadCold } from "../core/cold.ts";
import type * as McpCold from "../mcp/mod.ts";
import { repoRoot } from "../engine/script_index.ts";
import { apiRoutes, statusOf } from "./api.ts";
import type { ServerContext } from "./context.ts";
import { checkRequest, SECURITY_HEADERS } from "./security.ts";

/** Builds the app for a running server. */
export function createApp(s: ServerContext, log: (msg: string) => void): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    const refusal = checkRequest(c.req.raw, s.port);
    if (refusal) {
      const res = c.json({ error: refusal.error, code: refusal.code }, refusal.status);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
      return res;
    }
    const started = performance.now();
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    // The time this server spent on the request (read by bench/http.ts and browser dev tools).
    c.res.headers.set("server-timing", `app;dur=${(performance.now() - started).toFixed(2)}`);
  });
  app.use("/api/*", async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  });
  // Reads are answered from the exact cache while nothing they depend on changed.
  app.use("*", async (c, next) => {
    if (c.req.method !== "GET" || !cacheable(c.req.path)) return await next();
    const key = c.req.url.slice(c.req.url.indexOf("/", c.req.url.indexOf("//") + 2));
    const hit = s.cache.lookup(key);
    if (hit) {
      hit.headers.set("x-sparkq-cache", "hit");
      return hit;
    }
    const before = s.cache.snapshot();
    await next();
    c.res = await s.cache.store(key, before, c.res);
    c.res.headers.set("x-sparkq-cache", "miss");
  });

  app.route("/api", apiRoutes(s));
  // MCP over Streamable HTTP (SPEC §12.2); the SDK is loaded on the first request.
  app.all("/mcp", async (c) => {
    const { handleMcpHttp } = await loadCold<typeof McpCold>("mcp");
    const res = await handleMcpHttp(c.req.raw, {
      project: () => s.project,
      cwd: repoRoot(s.project.loaded),
      status: () => Promise.resolve(statusOf(s)),
      closing: s.closing,
    }, log);
    s.feed.poke(); // a tool call may have written: tell the live UI at once
    return res;
  });
  app.route("/", uiRoutes(s));

  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: `no API route ${c.req.method} ${c.req.path}`, code: "not_found" }, 404)
      : errorPage(s, 404, `There is no page at ${c.req.path}.`)
  );
  app.onError((e, c) => {
    const api = c.req.path.startsWith("/api/");
    const known = isSparkqError(e) ? e : asDiskFull(e);
    if (known && known.status < 500) {
      // A body refused for its size is not read: close rather than drain the rest.
      const close = known.code === "too_large" ? { connection: "close" } : undefined;
      return api
        ? c.json(errorBody(known), known.status as 400, close)
        : errorPage(s, known.status, known.message);
    }
    const message = known ? known.message : e instanceof Error ? e.message : String(e);
    const status = known ? known.status : 500;
    log(`error on ${c.req.method} ${c.req.path}: ${message}`);
    const body = known ? errorBody(known) : { error: message, code: "internal" };
    return api ? c.json(body, status as 500) : errorPage(s, status, message);
  });
  return app;
}

/** GET routes whose answer depends only on the database, the config and the clock. */
function cacheable(path: string): boolean {
  return !path.startsWith("/assets/") && path !== "/api/events" && path !== "/api/health" &&
    path !== "/mcp";
}
