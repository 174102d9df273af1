/**
 * The localhost guard (SPEC §8, STACK.md): DNS rebinding (foreign Host), CSRF (foreign
 * Origin, cross-site Sec-Fetch-Site, form content types), no CORS, malformed headers —
 * all refused, none changing anything; and task text shown as text on every page.
 */
import assert from "node:assert/strict";
import { dumpDb } from "./helpers.ts";
import { api, rawHttp, startServer, type TestServer } from "./server_helpers.ts";

function status(raw: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
}

async function health(s: TestServer): Promise<void> {
  const r = await api(s, "GET", "/api/health");
  assert.equal(r.status, 200, "the server must survive");
}

Deno.test("requests for another Host are refused (DNS rebinding)", async () => {
  const s = await startServer();
  try {
    const before = dumpDb(s.p.db);
    const body = JSON.stringify({ name: "evil" });
    const hosts = [
      "evil.example",
      `evil.example:${s.port}`,
      `127.0.0.1:${s.port + 1}`,
      "127.0.0.1",
      "localhost",
      `127.0.0.1.evil.example:${s.port}`,
      `localhost:${s.port}.evil.example`,
    ];
    for (const host of hosts) {
      for (const path of ["/", "/api/health", "/api/events", "/api/tasks"]) {
        const raw = await rawHttp(
          s.port,
          `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        assert.equal(status(raw), 403, `GET ${path} Host ${host}: ${raw.slice(0, 200)}`);
        assert.match(raw, /forbidden: Host/);
        assert.doesNotMatch(raw, /access-control-allow/i);
      }
      const raw = await rawHttp(
        s.port,
        `POST /api/sessions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      assert.equal(status(raw), 403, `POST Host ${host}`);
    }
    // No Host at all (HTTP/1.0), and a Host with bytes that are not a name.
    assert.equal(status(await rawHttp(s.port, "GET /api/health HTTP/1.0\r\n\r\n")), 403);
    const odd = await rawHttp(
      s.port,
      `GET / HTTP/1.1\r\nHost: \u00ff\u00fe[::1]:${s.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.ok([400, 403].includes(status(odd)), odd.slice(0, 200));
    // The three loopback names with the right port are served.
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`]) {
      const raw = await rawHttp(
        s.port,
        `GET /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(status(raw), 200, `Host ${host}`);
    }
    assert.equal(dumpDb(s.p.db), before);
    await health(s);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("cross-site mutations are refused and change nothing (CSRF)", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "auth", "--session", "s1"]);
    const failed = (await s.p.ok(["enqueue", "run-bash", "{}", "--stream", "auth"])).trim();
    await s.p.ok(["claim", "--stream", "auth"]);
    await s.p.ok(["fail", failed, "--error", "x"]);

    const task = { stream: "auth", tool_name: "run-bash", payload: { cmd: "rm -rf ~" } };
    const json = { "content-type": "application/json" };
    const attempts: [string, Record<string, string>, string?, number?][] = [
      ["foreign Origin", { ...json, origin: "http://evil.example" }],
      ["foreign Origin on our port", { ...json, origin: `http://evil.example:${s.port}` }],
      ["https Origin", { ...json, origin: `https://localhost:${s.port}` }],
      ["Origin with the wrong port", { ...json, origin: `http://127.0.0.1:${s.port + 1}` }],
      ["null Origin", { ...json, origin: "null" }],
      ["malformed Origin", { ...json, origin: "http://[::1" }],
      ["Sec-Fetch-Site cross-site", { ...json, "sec-fetch-site": "cross-site" }],
      ["Sec-Fetch-Site same-site", { ...json, "sec-fetch-site": "same-site" }],
      ["Sec-Fetch-Site garbage", { ...json, "sec-fetch-site": "\u00e9" }],
      ["form content type", { "content-type": "application/x-www-form-urlencoded" }, "a=1", 415],
      ["multipart content type", { "content-type": "multipart/form-data; boundary=x" }, "", 415],
      ["text/plain content type", { "content-type": "text/plain" }, undefined, 415],
      ["JSON-ish content type", { "content-type": "application/jsonp" }, undefined, 415],
    ];
    const mutations: [string, unknown][] = [
      ["/api/tasks", task],
      ["/api/sessions", { name: "evil" }],
      ["/api/streams", { name: "evil", session: "s1" }],
      ["/api/streams/auth/end", {}],
      ["/api/sessions/s1/end", {}],
      [`/api/tasks/${failed}/requeue`, {}],
      ["/api/streams/auth/claim", {}],
      ["/api/reload", {}],
    ];
    for (const [what, headers, raw, code] of attempts) {
      for (const [path, body] of mutations) {
        const before = dumpDb(s.p.db);
        const r = await api(s, "POST", path, body, { headers, raw });
        const where = `${what} POST ${path} → ${r.status} ${JSON.stringify(r.body)}`;
        assert.equal(r.status, code ?? 403, where);
        assert.equal(typeof r.body.error, "string", where);
        assert.equal(r.headers.get("access-control-allow-origin"), null, where);
        assert.equal(dumpDb(s.p.db), before, `database changed: ${where}`);
      }
    }
    // A request with no Content-Type is refused too (a form could send one without it).
    const bare = await fetch(`${s.url}/api/streams/auth/end`, { method: "POST" });
    assert.equal(bare.status, 415);
    await bare.body?.cancel();

    // A CORS preflight gets no CORS headers (and the browser then never sends the POST).
    const pre = await fetch(`${s.url}/api/tasks`, {
      method: "OPTIONS",
      headers: {
        origin: "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    assert.equal(pre.status, 403);
    assert.equal([...pre.headers.keys()].filter((k) => k.startsWith("access-control")).length, 0);
    await pre.body?.cancel();
    // A GET from a foreign origin is answered without CORS headers (unreadable to it).
    const get = await api(s, "GET", "/api/tasks", undefined, {
      headers: { origin: "http://evil.example" },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("access-control-allow-origin"), null);

    // The same requests from our own page pass.
    const own = await api(s, "POST", "/api/tasks", task, {
      headers: { origin: `http://localhost:${s.port}`, "sec-fetch-site": "same-origin" },
    });
    assert.equal(own.status, 201);
    const curl = await api(s, "POST", "/api/sessions", { name: "from-curl" }, {
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    assert.equal(curl.status, 201);
    await health(s);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("task text with <script> is shown as text on every page", async () => {
  const s = await startServer();
  try {
    const evil = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
    await s.p.ok(["session", "create", "s1", "-d", evil]);
    await s.p.ok(["stream", "create", "auth", "--session", "s1", "-i", evil]);
    const ok = (await s.p.ok([
      "enqueue",
      "run-bash",
      JSON.stringify({ script_path: evil }),
      "--stream",
      "auth",
    ])).trim();
    const bad =
      (await s.p.ok(["enqueue", "run-bash", JSON.stringify({ x: evil }), "--stream", "auth"]))
        .trim();
    const queued =
      (await s.p.ok(["enqueue", "llm-haiku", JSON.stringify({ prompt: evil }), "--stream", "auth"]))
        .trim();
    await s.p.ok(["claim", "--stream", "auth"]);
    await s.p.ok([
      "complete",
      ok,
      "--result",
      JSON.stringify({ summary: evil }),
      "--stdout",
      evil,
      "--stderr",
      evil,
    ]);
    await s.p.ok(["claim", "--stream", "auth"]);
    await s.p.ok(["fail", bad, "--error", evil, "--stdout", evil]);

    const pages = [
      "/",
      "/?stream=auth",
      "/tasks",
      "/tasks?status=failed",
      `/tasks/${ok}`,
      `/tasks/${bad}`,
      `/tasks/${queued}`,
      "/streams",
      "/sessions",
      "/enqueue",
    ];
    for (const page of pages) {
      const res = await fetch(`${s.url}${page}`);
      const html = await res.text();
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      assert.ok(!html.includes("<script>window"), `raw <script> on ${page}`);
      assert.ok(!html.includes("<img src=x"), `raw <img> on ${page}`);
      assert.ok(!/onerror="window/.test(html), `raw handler on ${page}`);
      // The only script tag is our own asset.
      const tags = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
      assert.equal(tags.length, 1, `${page}: ${tags}`);
      assert.match(tags[0], /^<script src="\/assets\/app\.[a-z0-9]+\.js" defer>$/, page);
    }
    const detail = await (await fetch(`${s.url}/tasks/${ok}`)).text();
    assert.ok(detail.includes("&lt;script&gt;window.__pwned=1&lt;/script&gt;"), "stdout as text");
    const failedPage = await (await fetch(`${s.url}/tasks/${bad}`)).text();
    assert.ok(failedPage.includes("&lt;img src=x onerror="), "error as text");
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});
