/**
 * The JSON API (SPEC §8) against a real `sparkq run` on a free loopback port: every
 * route's success and its refusals, the CLI and the API seeing each other's changes,
 * the live feed, and reload without a restart.
 */
import assert from "node:assert/strict";
import { api, startServer } from "./server_helpers.ts";

const TASK_ID = /^tsk_[0-9a-f]{12}$/;

Deno.test("every API route answers with the CLI's JSON shapes", async () => {
  const s = await startServer();
  try {
    const health = await api(s, "GET", "/api/health");
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "ok");
    assert.match(health.body.version, /^\d+\.\d+\.\d+/);
    assert.equal(health.body.pid, s.pid);
    assert.equal(health.headers.get("access-control-allow-origin"), null);

    // sessions
    let r = await api(s, "POST", "/api/sessions", { name: "api-v2", description: "API work" });
    assert.equal(r.status, 201);
    assert.match(r.body.id, /^ses_[0-9a-f]{12}$/);
    assert.equal(r.body.description, "API work");
    r = await api(s, "GET", "/api/sessions");
    assert.deepEqual(r.body.map((x: { name: string }) => x.name), ["api-v2"]);
    assert.deepEqual(JSON.parse(await s.p.ok(["session", "list", "--json"])), r.body);

    // streams
    r = await api(s, "POST", "/api/streams", {
      name: "auth",
      session: "api-v2",
      instructions: "Implement JWT",
    });
    assert.equal(r.status, 201);
    assert.match(r.body.id, /^str_[0-9a-f]{12}$/);
    await api(s, "POST", "/api/streams", { name: "docs", session: "api-v2" });
    r = await api(s, "GET", "/api/streams?session=api-v2&status=active");
    assert.deepEqual(r.body.map((x: { name: string }) => x.name), ["auth", "docs"]);
    assert.deepEqual(r.body[0].counts, {
      queued: 0,
      running: 0,
      stale: 0,
      succeeded: 0,
      failed: 0,
    });
    assert.deepEqual(JSON.parse(await s.p.ok(["stream", "list", "--json"])), r.body);

    // tasks: enqueue, list, detail
    r = await api(s, "POST", "/api/tasks", {
      stream: "auth",
      tool_name: "run-bash",
      payload: { script_path: "scripts/a.sh" },
    });
    assert.equal(r.status, 201);
    assert.match(r.body.id, TASK_ID);
    assert.deepEqual(r.body.payload, { script_path: "scripts/a.sh" });
    assert.equal(r.body.timeout, 300);
    const first = r.body.id;
    r = await api(s, "POST", "/api/tasks", {
      stream: "auth",
      tool_name: "run-bash-fast",
      payload: {},
      timeout: 7,
    });
    assert.equal(r.body.timeout, 7);
    const second = r.body.id;

    r = await api(s, "GET", "/api/tasks?stream=auth&status=queued&limit=10");
    assert.deepEqual(r.body.map((t: { id: string }) => t.id), [second, first]);
    assert.equal(r.body[0].stream_name, "auth");
    assert.equal(r.body[0].stale, false);
    r = await api(s, "GET", "/api/tasks?limit=1");
    assert.equal(r.body.length, 1);
    r = await api(s, "GET", `/api/tasks/${first}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.stream, {
      id: r.body.stream_id,
      name: "auth",
      instructions: "Implement JWT",
    });
    assert.deepEqual(r.body, JSON.parse(await s.p.ok(["task", first, "--json"])));

    // claim (FIFO), empty claim 204
    r = await api(s, "POST", "/api/streams/auth/claim");
    assert.equal(r.status, 200);
    assert.equal(r.body.id, first);
    assert.equal(r.body.status, "running");
    assert.equal(r.body.attempts, 1);
    assert.equal(r.body.stream.name, "auth");
    r = await api(s, "POST", "/api/streams/auth/claim", {});
    assert.equal(r.body.id, second);
    r = await api(s, "POST", "/api/streams/auth/claim");
    assert.equal(r.status, 204);
    assert.equal(r.body, null);

    // complete and fail
    r = await api(s, "POST", `/api/tasks/${first}/complete`, {
      result: { files: ["a"], summary: "Did it" },
      stdout: "ok\n",
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "succeeded");
    assert.deepEqual(r.body.result, { files: ["a"], summary: "Did it" });
    assert.equal(r.body.stdout, "ok\n");
    r = await api(s, "POST", `/api/tasks/${second}/fail`, { error: "boom", stderr: "trace" });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "failed");
    assert.equal(r.body.error, "boom");
    assert.equal(r.body.stderr, "trace");

    // stale filter (the values the UI's forms send are accepted too)
    r = await api(s, "GET", "/api/tasks?stale=1");
    assert.deepEqual(r.body, []);
    r = await api(s, "GET", "/api/tasks?stale=on");
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, []);

    // requeue, into the same stream and another one
    r = await api(s, "POST", `/api/tasks/${second}/requeue`);
    assert.equal(r.status, 201);
    assert.match(r.body.id, TASK_ID);
    assert.notEqual(r.body.id, second);
    assert.equal(r.body.status, "queued");
    assert.equal(r.body.attempts, 0);
    assert.equal(r.body.timeout, 7);
    r = await api(s, "POST", `/api/tasks/${second}/requeue`, { stream: "docs" });
    assert.equal(r.status, 201);
    assert.equal(r.body.stream_id, s.p.query("SELECT id FROM streams WHERE name='docs'")[0].id);

    // end stream, end session
    r = await api(s, "POST", "/api/streams/docs/end");
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "ended");
    r = await api(s, "POST", "/api/sessions/api-v2/end", {});
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "ended");
    assert.equal(r.body.streams_ended, 1);

    // status, tools, scripts, reload
    r = await api(s, "GET", "/api/status");
    assert.equal(r.body.server.running, true);
    assert.equal(r.body.server.pid, s.pid);
    assert.equal(r.body.totals.succeeded, 1);
    assert.equal(r.body.totals.queued, 2);
    assert.deepEqual(r.body.streams.map((x: { name: string }) => x.name), ["auth", "docs"]);
    const cliStatus = JSON.parse(await s.p.ok(["status", "--json"]));
    assert.deepEqual(cliStatus.streams, r.body.streams);
    assert.equal(cliStatus.server.running, true);
    r = await api(s, "GET", "/api/tools");
    assert.deepEqual(r.body.map((t: { name: string }) => t.name), [
      "run-bash",
      "run-bash-fast",
      "run-python",
      "llm-haiku",
      "llm-sonnet",
    ]);
    assert.equal(r.body[0].timeout, 300);
    r = await api(s, "GET", "/api/scripts");
    assert.deepEqual(r.body, []);
    r = await api(s, "POST", "/api/reload");
    assert.equal(r.status, 200);
    assert.equal(r.body.tools.length, 5);
    assert.equal(r.body.scripts, 0);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("API refusals: JSON errors with the right status, nothing changed", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "auth", "--session", "s1"]);
    await s.p.ok(["stream", "create", "old", "--session", "s1"]);
    await s.p.ok(["stream", "end", "old"]);
    const queued = (await s.p.ok(["enqueue", "run-bash", "{}", "--stream", "auth"])).trim();
    const running = (await s.p.ok(["enqueue", "run-bash", "{}", "--stream", "auth"])).trim();
    await s.p.ok(["claim", "--stream", "auth"]); // FIFO: claims the first one
    const claimedId = queued;
    const stillQueued = running;

    const cases: [string, string, unknown, number, RegExp, string?][] = [
      ["POST", "/api/sessions", { name: "s1" }, 409, /already exists/],
      ["POST", "/api/sessions", { name: "-bad" }, 422, /session name/i],
      ["POST", "/api/sessions", {}, 422, /'name' is required/],
      ["POST", "/api/sessions", { name: "x", extra: 1 }, 422, /unknown field 'extra'/],
      ["POST", "/api/sessions", [1], 422, /expected object/],
      ["POST", "/api/sessions", undefined, 400, /not valid JSON/, "{nope"],
      ["POST", "/api/sessions/nope/end", {}, 404, /no session named 'nope'/],
      ["POST", "/api/streams", { name: "auth", session: "s1" }, 409, /already exists/],
      ["POST", "/api/streams", { name: "n", session: "ghost" }, 404, /no session named 'ghost'/],
      ["POST", "/api/streams/old/end", {}, 409, /already ended/],
      ["POST", "/api/streams/ghost/claim", {}, 404, /no stream named 'ghost'/],
      ["POST", "/api/streams/old/claim", {}, 409, /ended/],
      ["POST", "/api/streams/auth/claim", { x: 1 }, 422, /unknown field 'x'/],
      [
        "POST",
        "/api/tasks",
        { stream: "auth", tool_name: "nope", payload: {} },
        404,
        /unknown tool 'nope'/,
      ],
      [
        "POST",
        "/api/tasks",
        { stream: "auth", tool_name: "run-bash", payload: [1] },
        422,
        /payload must be a JSON object/,
      ],
      [
        "POST",
        "/api/tasks",
        { stream: "auth", tool_name: "run-bash", payload: "{}" },
        422,
        /payload must be a JSON object/,
      ],
      [
        "POST",
        "/api/tasks",
        { stream: "auth", tool_name: "run-bash", payload: {}, timeout: 0 },
        422,
        /timeout/,
      ],
      ["POST", "/api/tasks", { stream: "old", tool_name: "run-bash", payload: {} }, 409, /ended/],
      [
        "POST",
        "/api/tasks",
        { stream: "ghost", tool_name: "run-bash", payload: {} },
        404,
        /no stream named 'ghost'/,
      ],
      [
        "POST",
        "/api/tasks",
        { stream: "auth", tool: "run-bash", payload: {} },
        422,
        /unknown field 'tool'/,
      ],
      ["GET", "/api/tasks/tsk_000000000000", undefined, 404, /no task with ID/],
      ["GET", "/api/tasks?status=done", undefined, 400, /status/],
      ["GET", "/api/tasks?limit=0", undefined, 400, /limit/],
      ["GET", "/api/tasks?limit=abc", undefined, 400, /limit/],
      [
        "GET",
        "/api/tasks?limit=1001",
        undefined,
        400,
        /^'limit' must be a whole number from 1 to 1000 \(got '1001'\)$/,
      ],
      ["GET", "/api/tasks?stale=maybe", undefined, 400, /^'stale' must be one of .*'maybe'/],
      ["GET", "/api/tasks?stream=ghost", undefined, 404, /no stream named 'ghost'/],
      ["GET", "/api/tasks?bogus=1", undefined, 400, /unknown field 'bogus'/],
      ["GET", "/api/streams?status=open", undefined, 400, /status/],
      ["GET", "/api/streams?session=ghost", undefined, 404, /no session/],
      ["GET", "/api/sessions?status=x", undefined, 400, /status/],
      ["POST", `/api/tasks/${claimedId}/complete`, { result: { files: [] } }, 422, /summary/],
      ["POST", `/api/tasks/${claimedId}/complete`, { result: { summary: "  " } }, 422, /summary/],
      ["POST", `/api/tasks/${claimedId}/complete`, {}, 422, /result/],
      [
        "POST",
        `/api/tasks/${stillQueued}/complete`,
        { result: { summary: "x" } },
        409,
        /queued, not running/,
      ],
      ["POST", `/api/tasks/${claimedId}/fail`, {}, 422, /'error' is required/],
      ["POST", `/api/tasks/${claimedId}/fail`, { error: "" }, 422, /error message/],
      ["POST", "/api/tasks/tsk_000000000000/fail", { error: "x" }, 404, /no task/],
      ["POST", `/api/tasks/${claimedId}/requeue`, {}, 409, /only failed tasks/],
      ["POST", "/api/tasks/tsk_000000000000/requeue", {}, 404, /no task/],
      ["POST", "/api/reload", { x: 1 }, 422, /unknown field/],
      ["GET", "/api/nothing", undefined, 404, /no API route/],
      ["POST", "/api/sessions", undefined, 413, /larger than/, "x".repeat(48 * 1024 * 1024 + 1)],
      ["DELETE", "/api/tasks", undefined, 404, /no API route/],
    ];
    for (const [method, path, body, status, pattern, raw] of cases) {
      const before = s.p.dump();
      const r = await api(s, method, path, body, { raw });
      const where = `${method} ${path} ${raw ?? JSON.stringify(body)} → ${r.status} ${
        JSON.stringify(r.body)
      }`;
      assert.equal(r.status, status, where);
      assert.equal(typeof r.body?.error, "string", where);
      assert.match(r.body.error, pattern, where);
      assert.equal(s.p.dump(), before, `database changed: ${where}`);
    }
    // Web pages answer unknown things with an HTML error page, never a crash.
    for (
      const [path, status] of [
        ["/?stream=ghost", 404],
        ["/tasks/tsk_000000000000", 404],
        ["/tasks?status=bogus", 400],
        ["/tasks?limit=1001", 400], // the API's limits and values (one task-query parser)
        ["/tasks?stale=maybe", 400],
        ["/streams?session=ghost", 404],
        ["/no-such-page", 404],
      ] as const
    ) {
      const res = await fetch(`${s.url}${path}`);
      const html = await res.text();
      assert.equal(res.status, status, path);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/, path);
      assert.match(html, /Back to the dashboard/, path);
    }
    assert.doesNotMatch(s.output(), /error on GET/, "no page crashed");

    // A late complete of an auto-failed task is refused and the auto-fail stands.
    await s.p.ok(["stream", "create", "quick", "--session", "s1"]);
    const quick =
      (await s.p.ok(["enqueue", "run-bash", "{}", "--stream", "quick", "--timeout", "1"]))
        .trim();
    assert.equal((await api(s, "POST", "/api/streams/quick/claim")).body.id, quick);
    await new Promise((r) => setTimeout(r, 2300));
    const late = await api(s, "POST", `/api/tasks/${quick}/complete`, {
      result: { summary: "late" },
    });
    assert.equal(late.status, 409);
    assert.match(late.body.error, /auto-failed/);
    const row = s.p.query("SELECT status, error FROM tasks WHERE id = ?", quick)[0];
    assert.equal(row.status, "failed");
    assert.match(String(row.error), /^Auto-failed: task exceeded 2x timeout \(2s\)/);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("the CLI and the API see each other's changes; the live feed reports them", async () => {
  const s = await startServer();
  const events = new AbortController();
  try {
    await s.p.ok(["session", "create", "s1"]);
    const created = await api(s, "POST", "/api/streams", { name: "auth", session: "s1" });
    assert.equal(created.status, 201);

    // Listen to the live feed.
    const res = await fetch(`${s.url}/api/events`, { signal: events.signal });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const next = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(seen)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(seen)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error("event stream closed");
        seen += value;
      }
      const out = seen;
      seen = "";
      return out;
    };
    await next(/event: hello/);

    // CLI enqueue → API sees it, and the feed says "change".
    const id = (await s.p.ok(["enqueue", "run-bash", '{"n": 1}', "--stream", "auth"])).trim();
    assert.match(id, TASK_ID);
    await next(/event: change/);
    let r = await api(s, "GET", "/api/tasks");
    assert.deepEqual(r.body.map((t: { id: string }) => t.id), [id]);

    // API claim → CLI sees it running.
    r = await api(s, "POST", "/api/streams/auth/claim");
    assert.equal(r.body.id, id);
    await next(/event: change/);
    assert.equal(JSON.parse(await s.p.ok(["task", id, "--json"])).status, "running");

    // CLI complete → API sees the result.
    await s.p.ok(["complete", id, "--result", '{"summary": "done from the CLI"}']);
    await next(/event: change/);
    r = await api(s, "GET", `/api/tasks/${id}`);
    assert.equal(r.body.status, "succeeded");
    assert.equal(r.body.result.summary, "done from the CLI");

    // API enqueue → CLI lists it.
    r = await api(s, "POST", "/api/tasks", { stream: "auth", tool_name: "llm-haiku", payload: {} });
    const listed = JSON.parse(await s.p.ok(["tasks", "--json", "--status", "queued"]));
    assert.deepEqual(listed.map((t: { id: string }) => t.id), [r.body.id]);
    await reader.cancel();
  } finally {
    events.abort();
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("reload: the running server picks up new tools and scripts without a restart", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "auth", "--session", "s1"]);
    let r = await api(s, "POST", "/api/tasks", { stream: "auth", tool_name: "lint", payload: {} });
    assert.equal(r.status, 404);

    const yml = `${s.p.dir}/sparkq.yml`;
    const text = await Deno.readTextFile(yml);
    await Deno.writeTextFile(
      yml,
      text.replace(
        /^tools:\n/m,
        "tools:\n  lint:\n    description: Run the linter\n    task_class: FAST_SCRIPT\n    timeout: 45\n",
      ),
    );
    await Deno.mkdir(`${s.p.dir}/scripts/ci`, { recursive: true });
    await Deno.writeTextFile(
      `${s.p.dir}/scripts/ci/lint.sh`,
      "#!/bin/sh\n# name: lint\n# description: Lints\n# tags: ci\nexec deno lint\n",
    );

    const out = await s.p.ok(["reload"]);
    assert.match(out, /6 tools/);
    assert.match(out, /1 script\b/);
    assert.match(out, /Server at http:\/\/127\.0\.0\.1:\d+ \(PID \d+\) reloaded/);

    r = await api(s, "GET", "/api/tools");
    assert.ok(
      r.body.some((t: { name: string; timeout: number }) => t.name === "lint" && t.timeout === 45),
    );
    r = await api(s, "GET", "/api/scripts");
    assert.deepEqual(r.body.map((x: { name: string; path: string }) => [x.name, x.path]), [[
      "lint",
      "scripts/ci/lint.sh",
    ]]);
    r = await api(s, "POST", "/api/tasks", { stream: "auth", tool_name: "lint", payload: {} });
    assert.equal(r.status, 201);
    assert.equal(r.body.timeout, 45);

    // A broken sparkq.yml is refused by reload, and the server keeps the last good one.
    await Deno.writeTextFile(yml, text + "\nbogus: [\n");
    r = await api(s, "POST", "/api/reload");
    assert.equal(r.status, 500);
    assert.equal(r.body.code, "config");
    assert.match(r.body.error, /sparkq\.yml:\d+/);
    r = await api(s, "GET", "/api/tools");
    assert.ok(r.body.some((t: { name: string }) => t.name === "lint"));
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("cached reads stay exact: CLI writes, deadlines and reload all refresh them", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "auth", "--session", "s1"]);
    const a = await api(s, "GET", "/api/tasks");
    const b = await api(s, "GET", "/api/tasks");
    assert.equal(b.headers.get("x-sparkq-cache"), "hit");
    assert.deepEqual(b.body, a.body);

    // Another process writes: the next read sees it.
    const id = (await s.p.ok(["enqueue", "run-bash", "{}", "--stream", "auth", "--timeout", "1"]))
      .trim();
    let r = await api(s, "GET", "/api/tasks");
    assert.equal(r.headers.get("x-sparkq-cache"), "miss");
    assert.deepEqual(r.body.map((t: { id: string }) => t.id), [id]);
    await s.p.ok(["claim", "--stream", "auth"]);
    r = await api(s, "GET", "/api/tasks");
    assert.equal(r.body[0].status, "running");
    assert.equal(r.body[0].stale, false);
    r = await api(s, "GET", "/api/tasks");
    assert.equal(r.headers.get("x-sparkq-cache"), "hit");

    // Only time passes: past the timeout the task reads as stale, past 2x it is auto-failed.
    await new Promise((res) => setTimeout(res, 1100));
    r = await api(s, "GET", "/api/tasks");
    assert.equal(r.body[0].status, "running");
    assert.equal(r.body[0].stale, true, "stale once its timeout passed");
    await new Promise((res) => setTimeout(res, 1000));
    r = await api(s, "GET", `/api/tasks/${id}`);
    assert.equal(r.body.status, "failed");
    assert.match(r.body.error, /^Auto-failed/);
    const page = await (await fetch(`${s.url}/tasks`)).text();
    assert.match(page, new RegExp(`class="autofailed" data-task="${id}"`));

    // A reload (new tool) refreshes cached answers.
    const tools = await api(s, "GET", "/api/tools");
    assert.equal((await api(s, "GET", "/api/tools")).headers.get("x-sparkq-cache"), "hit");
    const yml = `${s.p.dir}/sparkq.yml`;
    await Deno.writeTextFile(
      yml,
      (await Deno.readTextFile(yml)).replace(
        /^tools:\n/m,
        "tools:\n  fmt:\n    task_class: FAST_SCRIPT\n",
      ),
    );
    assert.equal((await api(s, "POST", "/api/reload")).status, 200);
    r = await api(s, "GET", "/api/tools");
    assert.equal(r.body.length, tools.body.length + 1);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});
