/**
 * `sparkq mcp` and `/mcp` (SPEC §12.2), driven by the MCP SDK's own client: over stdio
 * spawning a freshly built launcher (the bundle, under its scoped permission flags),
 * and over Streamable HTTP against a real `sparkq run`. Tools and resources are listed
 * (the tools/list answer under 8 KiB), an agent's loop runs end to end, refusals carry
 * their codes and change nothing, four clients share one stream without a task claimed
 * twice, and `/mcp` refuses a foreign Host or Origin.
 */
import assert from "node:assert/strict";
import { mcpInitialize } from "./support/mcp_initialize.ts";
import { freshLauncher, ROOT, sparkqCommand, type TempProject, tempProject } from "./helpers.ts";
import { spawnPiped } from "./support/process.ts";
import { rawHttp, startServer } from "./server_helpers.ts";
import { call, type Client, httpClient, ok, refused, stdioClient } from "./mcp_helpers.ts";

const TOOL_NAMES = [
  "sparkq_status",
  "sparkq_list_streams",
  "sparkq_enqueue",
  "sparkq_claim",
  "sparkq_heartbeat",
  "sparkq_complete",
  "sparkq_fail",
  "sparkq_get_task",
  "sparkq_list_tasks",
  "sparkq_requeue",
];

/** A project run through a freshly built launcher, with session s1 and streams st1, st2. */
async function project(): Promise<TempProject> {
  const p = await tempProject([], { launcher: await freshLauncher() });
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "st1", "--session", "s1", "-i", "Work in src/, run the tests"]);
  await p.ok(["stream", "create", "st2", "--session", "s1"]);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("mcp: tools and resources are listed; tools/list stays under 8 KiB", async () => {
  const p = await project();
  const c = await stdioClient(p, ["--stream", "later"]);
  try {
    const list = await c.client.listTools();
    assert.deepEqual(list.tools.map((t) => t.name), TOOL_NAMES);
    const bytes = new TextEncoder().encode(JSON.stringify(list)).length;
    assert.ok(bytes < 8192, `tools/list is ${bytes} bytes`);
    for (const t of list.tools) {
      assert.equal(t.inputSchema.type, "object", t.name);
      assert.ok(t.description && t.description.length <= 160, `${t.name}: a short description`);
    }
    const claim = list.tools.find((t) => t.name === "sparkq_claim")!;
    assert.deepEqual(
      (claim.inputSchema.properties as Record<string, Record<string, unknown>>).wait_seconds,
      {
        description: "wait this long for a task (default 0)",
        type: "integer",
        minimum: 0,
        maximum: 300,
      },
    );
    assert.deepEqual(
      list.tools.find((t) => t.name === "sparkq_complete")!.inputSchema.required,
      ["id", "summary"],
    );

    const resources = await c.client.listResources();
    assert.deepEqual(
      resources.resources.map((r) => r.uri).sort(),
      ["sparkq://playbook", "sparkq://streams/st1", "sparkq://streams/st2"],
    );
    const templates = await c.client.listResourceTemplates();
    assert.deepEqual(templates.resourceTemplates.map((t) => t.uriTemplate), [
      "sparkq://streams/{name}",
    ]);
    const playbook = await c.client.readResource({ uri: "sparkq://playbook" });
    assert.equal(
      (playbook.contents[0] as { text: string }).text,
      await Deno.readTextFile(`${ROOT}/WORKER_PLAYBOOK.md`),
    );
    const st1 = await c.client.readResource({ uri: "sparkq://streams/st1" });
    assert.equal((st1.contents[0] as { text: string }).text, "Work in src/, run the tests");
    await assert.rejects(() => c.client.readResource({ uri: "sparkq://streams/nope" }), /nope/);
    // A --stream that does not exist (yet) is said on stderr, not refused.
    assert.match(c.stderr(), /^sparkq mcp: warning: no stream named 'later' yet/m);
  } finally {
    await c.close();
    await p.cleanup();
  }
});

/**
 * `sparkq mcp --stream st1` of project `p` spoken to by hand, without the SDK: started
 * with its pipes left to the test, initialized (request id 1, then the notification).
 * `send` writes one JSON-RPC message; `w` is the stdin writer, to close.
 */
async function rawMcp(p: TempProject): Promise<{
  child: Deno.ChildProcess;
  w: WritableStreamDefaultWriter<Uint8Array>;
  send(m: unknown): Promise<void>;
}> {
  const how = sparkqCommand(["mcp", "--stream", "st1"], {
    cwd: p.dir,
    launcher: p.launcher,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
  });
  const child = spawnPiped(how.cmd, how.args, { cwd: how.cwd, env: how.env });
  const w = child.stdin.getWriter();
  const send = (m: unknown) => w.write(new TextEncoder().encode(JSON.stringify(m) + "\n"));
  await send(mcpInitialize("raw"));
  await send({ jsonrpc: "2.0", method: "notifications/initialized" });
  return { child, w, send };
}

Deno.test("mcp: stdout carries the protocol alone; the server ends when stdin closes", async () => {
  const p = await project();
  try {
    const { child, w, send } = await rawMcp(p);
    await send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "sparkq_complete", arguments: { id: "tsk_000000000000", summary: "x" } },
    });
    await send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "sparkq_claim" } });
    await sleep(300);
    await w.close(); // the client goes away: the server must end by itself
    const started = Date.now();
    const out = await child.output();
    assert.ok(Date.now() - started < 10_000, "ended soon after stdin closed");
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
    // Answers may come in any order (calls run concurrently).
    const msgs = lines.map((l) => JSON.parse(l)).sort((x, y) => x.id - y.id);
    assert.deepEqual(msgs.map((m) => [m.jsonrpc, m.id]), [["2.0", 1], ["2.0", 2], ["2.0", 3]]);
    assert.equal(msgs[0].result.serverInfo.name, "sparkq");
    assert.equal(msgs[1].result.isError, true);
    assert.equal(msgs[1].result.structuredContent.code, "not_found");
    assert.deepEqual(msgs[2].result.structuredContent, { task: null }, "--stream is the default");
  } finally {
    await p.cleanup();
  }
});

Deno.test("mcp: a client that goes away during a waiting claim ends the server quietly", async () => {
  const p = await project();
  try {
    const { child, w, send } = await rawMcp(p);
    await send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "sparkq_claim", arguments: { wait_seconds: 300 } },
    });
    const reader = child.stdout.getReader();
    await reader.read(); // the initialize answer
    await sleep(500);
    await reader.cancel(); // the client stops reading, then closes its end
    await w.close();
    const started = Date.now();
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    assert.ok(Date.now() - started < 4000, `ended in ${Date.now() - started} ms`);
    assert.equal(status.code, 0, stderr);
    assert.doesNotMatch(stderr, /Uncaught|EPIPE|\n\s+at /, "no crash, no stack trace");
    assert.equal(p.query("SELECT COUNT(*) AS n FROM tasks")[0].n, 0, "nothing claimed");
  } finally {
    await p.cleanup();
  }
});

Deno.test("mcp: an agent's loop over stdio — wait, heartbeat, complete, fail, late report", async () => {
  const p = await project();
  const c = await stdioClient(p, ["--stream", "st1"]);
  try {
    const a = c.client;
    // A claim waiting for work is woken by an enqueue from another process.
    const waiting = ok(a, "sparkq_claim", { wait_seconds: 60 });
    await sleep(700);
    const id = (await p.ok(["enqueue", "run-bash", '{"command":"make"}', "-s", "st1"])).trim();
    const claimed = (await waiting).task;
    assert.equal(claimed.id, id);
    assert.equal(claimed.status, "running");
    assert.deepEqual(claimed.payload, { command: "make" });
    assert.equal(claimed.stream.name, "st1");
    assert.equal(claimed.stream.instructions, "Work in src/, run the tests");
    assert.equal(claimed.project?.repo_path, p.dir, "where to work");
    // The same JSON as the CLI's task --json, apart from what changes with time.
    const viaCli = JSON.parse(await p.ok(["task", id, "--json"]));
    for (const k of ["id", "payload", "status", "started_at", "stream_id"]) {
      assert.deepEqual(claimed[k], viaCli[k], k);
    }

    const beat = await ok(a, "sparkq_heartbeat", { id, note: "tests written" });
    assert.deepEqual(Object.keys(beat), ["id", "heartbeat_at", "stale_at", "auto_fail_at"]);
    assert.equal(beat.id, id);
    const notes = JSON.parse(
      String(p.query("SELECT notes FROM tasks WHERE id = ?", id)[0].notes),
    );
    assert.deepEqual(notes.map((n: { note: string }) => n.note), ["tests written"]);

    const log = "compiled 12 files\n" + "x".repeat(70 * 1024);
    await Deno.writeTextFile(`${p.dir}/build.log`, log);
    const done = await ok(a, "sparkq_complete", {
      id,
      summary: "Built it",
      result: { files: 12 },
      stdout_file: "build.log",
    });
    assert.equal(done.status, "succeeded");
    assert.deepEqual(done.result, { files: 12, summary: "Built it" });
    assert.equal(done.stdout.length, 64 * 1024, "the answer shows the last 64 KiB");
    assert.equal(done.stdout_omitted_bytes, log.length - 64 * 1024);
    const row = p.query("SELECT status, result, stdout FROM tasks WHERE id = ?", id)[0];
    assert.deepEqual(JSON.parse(String(row.result)), { files: 12, summary: "Built it" });
    assert.equal(row.stdout, log);
    // Details show the last 64 KiB of an output unless asked for all of it.
    const shown = await ok(a, "sparkq_get_task", { id });
    assert.equal(shown.stdout.length, 64 * 1024);
    assert.equal(shown.stdout_omitted_bytes, log.length - 64 * 1024);
    assert.equal((await ok(a, "sparkq_get_task", { id, full: true })).stdout, log);

    // claim -> fail
    const id2 = (await ok(a, "sparkq_enqueue", { tool: "run-bash", payload: { n: 2 } })).id;
    assert.equal((await ok(a, "sparkq_claim")).task.id, id2);
    const failed = await ok(a, "sparkq_fail", {
      id: id2,
      error: "tests fail",
      result: { failing: ["cart"] },
      stderr: "1 failed",
    });
    assert.equal(failed.status, "failed");
    assert.equal(failed.error, "tests fail");
    assert.deepEqual(failed.result, { failing: ["cart"] });
    assert.equal(p.query("SELECT stderr FROM tasks WHERE id = ?", id2)[0].stderr, "1 failed");
    const listed = await ok(a, "sparkq_list_tasks", { status: "failed" });
    assert.deepEqual(listed.tasks.map((t: { id: string }) => t.id), [id2]);
    // An output over the 8 MiB cap is cut, and the answer says so after its JSON.
    const id4 = (await ok(a, "sparkq_enqueue", { tool: "run-bash", payload: { n: 4 } })).id;
    assert.equal((await ok(a, "sparkq_claim")).task.id, id4);
    await Deno.writeTextFile(`${p.dir}/huge.log`, "y".repeat(9 * 1024 * 1024));
    const cut = await call(a, "sparkq_complete", {
      id: id4,
      summary: "big",
      stdout_file: "huge.log",
    });
    assert.ok(!cut.isError, JSON.stringify(cut.content[0]));
    assert.equal((cut.structuredContent as { status: string }).status, "succeeded");
    assert.match(
      (cut.content[1] as { text: string }).text,
      /^warning: stdout was larger than 8 MiB/,
    );
    const copy = await ok(a, "sparkq_requeue", { id: id2 });
    assert.equal(copy.status, "queued");
    assert.equal(copy.requeued_from, id2);

    // A report after the auto-fail is refused (auto_failed) but kept on the task.
    const id3 = (await ok(a, "sparkq_enqueue", {
      stream: "st2",
      tool: "run-bash",
      payload: {},
      timeout: 1,
    })).id;
    assert.equal((await ok(a, "sparkq_claim", { stream: "st2" })).task.id, id3);
    await sleep(2500); // auto-failed after 2 x 1 s
    await refused(a, "sparkq_complete", { id: id3, summary: "late but done" }, "auto_failed");
    const late = await ok(a, "sparkq_get_task", { id: id3 });
    assert.equal(late.status, "failed");
    assert.equal(late.auto_failed, true);
    assert.equal(late.late_report?.outcome, "succeeded");
    assert.equal(late.late_report?.result?.summary, "late but done");

    const status = await ok(a, "sparkq_status");
    assert.equal(status.server.running, false);
    assert.deepEqual(status.streams.map((s: { name: string }) => s.name).sort(), ["st1", "st2"]);
    assert.ok(!/\S/.test(c.stderr().replace(/^sparkq mcp: .*$/gm, "")), c.stderr());
  } finally {
    await c.close();
    await p.cleanup();
  }
});

Deno.test("mcp: refusals carry their codes and change nothing", async () => {
  const p = await project();
  const c = await stdioClient(p);
  try {
    const a = c.client;
    const queued = (await ok(a, "sparkq_enqueue", { stream: "st1", tool: "run-bash", payload: {} }))
      .id;
    await p.ok(["stream", "end", "st2"]);
    const before = p.dump();
    await refused(a, "sparkq_claim", {}, "usage", /'stream' is required/);
    await refused(a, "sparkq_claim", { stream: "nope" }, "not_found", /no stream named 'nope'/);
    await refused(a, "sparkq_claim", { stream: "st2", wait_seconds: 5 }, "stream_ended");
    await refused(a, "sparkq_claim", { stream: "st1", wait_seconds: 301 }, "invalid", /<=300/);
    await refused(
      a,
      "sparkq_claim",
      { stream: "st1", wait: 3 },
      "invalid",
      /unknown argument 'wait'/,
    );
    await refused(a, "sparkq_complete", { id: queued }, "invalid", /'summary' is required/);
    await refused(a, "sparkq_complete", { id: queued, summary: "x" }, "not_running");
    await refused(a, "sparkq_heartbeat", { id: queued }, "not_running");
    await refused(a, "sparkq_fail", { id: "tsk_000000000000", error: "x" }, "not_found");
    await refused(a, "sparkq_get_task", { id: "tsk_000000000000" }, "not_found");
    await refused(
      a,
      "sparkq_enqueue",
      { stream: "st1", tool: "toString", payload: {} },
      "not_found",
    );
    await refused(a, "sparkq_enqueue", { stream: "st1", tool: "run-bash", payload: [] }, "invalid");
    await refused(
      a,
      "sparkq_enqueue",
      { stream: "st2", tool: "run-bash", payload: {} },
      "stream_ended",
    );
    await refused(a, "sparkq_requeue", { id: queued }, "invalid", /only failed tasks/);
    await refused(a, "sparkq_list_tasks", { limit: 0 }, "invalid");
    await refused(a, "sparkq_nope", {}, "not_found", /no tool named 'sparkq_nope'/);
    await refused(
      a,
      "sparkq_complete",
      { id: queued, summary: "x", stdout: "a", stdout_file: "b" },
      "usage",
    );
    assert.equal(p.dump(), before, "refusals changed nothing");
    const running = (await ok(a, "sparkq_claim", { stream: "st1" })).task.id;
    const before2 = p.dump();
    await refused(
      a,
      "sparkq_complete",
      { id: running, summary: "x", stdout_file: "nope.log" },
      "invalid",
      /no such file/,
    );
    await refused(
      a,
      "sparkq_fail",
      { id: running, error: "x", stderr_file: "/etc/passwd" },
      "permission",
    );
    assert.equal(p.dump(), before2, "refused reports changed nothing");
  } finally {
    await c.close();
    await p.cleanup();
  }
});

Deno.test("mcp: 4 clients claiming one stream of 400 tasks get each task exactly once", async () => {
  const p = await project();
  const clients = await Promise.all([0, 1, 2, 3].map(() => stdioClient(p, ["--stream", "st1"])));
  try {
    const queued = new Set<string>();
    for (let i = 0; i < 400; i++) {
      queued.add(
        (await ok(clients[0].client, "sparkq_enqueue", { tool: "run-bash", payload: { i } }))
          .id,
      );
    }
    const work = async (a: Client) => {
      const mine: string[] = [];
      for (;;) {
        const { task } = await ok(a, "sparkq_claim");
        if (!task) return mine;
        mine.push(task.id);
        await ok(a, "sparkq_complete", { id: task.id, summary: `done ${task.payload.i}` });
      }
    };
    const got = await Promise.all(clients.map((c) => work(c.client)));
    const all = got.flat();
    assert.equal(all.length, 400, "400 claims in all");
    assert.equal(new Set(all).size, 400, "no task claimed twice");
    assert.deepEqual(new Set(all), queued);
    assert.ok(got.every((g) => g.length > 0), `every client got work: ${got.map((g) => g.length)}`);
    const rows = p.query("SELECT status, attempts, COUNT(*) AS n FROM tasks GROUP BY 1, 2");
    assert.deepEqual(rows, [{ status: "succeeded", attempts: 1, n: 400 }]);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await p.cleanup();
  }
});

Deno.test("/mcp: Streamable HTTP on sparkq run, behind the Host and Origin checks", async () => {
  const p = await project();
  const s = await startServer({ p });
  let c: Awaited<ReturnType<typeof httpClient>> | undefined;
  try {
    c = await httpClient(s.url);
    const a = c.client;
    assert.deepEqual((await a.listTools()).tools.map((t) => t.name), TOOL_NAMES);
    const status = await ok(a, "sparkq_status");
    assert.equal(status.server.running, true);
    assert.equal(status.server.port, s.port);

    // A waiting claim over HTTP wakes on an enqueue by another process.
    const waiting = ok(a, "sparkq_claim", { stream: "st1", wait_seconds: 60 });
    await sleep(700);
    const id = (await p.ok(["enqueue", "run-bash", '{"n":1}', "-s", "st1"])).trim();
    assert.equal((await waiting).task.id, id);
    await ok(a, "sparkq_heartbeat", { id, note: "over http" });
    const done = await ok(a, "sparkq_complete", { id, summary: "via http", stdout: "out" });
    assert.equal(done.status, "succeeded");
    await refused(a, "sparkq_complete", { id, summary: "again, other" }, "not_running");
    await refused(a, "sparkq_claim", {}, "usage", /'stream' is required/);

    // DNS rebinding and cross-site requests are refused before MCP sees them.
    const init = JSON.stringify(mcpInitialize("x"));
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const foreignHost = await rawHttp(
      s.port,
      `POST /mcp HTTP/1.1\r\nHost: evil.example:${s.port}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${init.length}\r\n` +
        `Connection: close\r\n\r\n${init}`,
    );
    assert.match(foreignHost, /^HTTP\/1\.1 403/);
    const foreignOrigin = await fetch(`${s.url}/mcp`, {
      method: "POST",
      headers: { ...headers, origin: "http://evil.example" },
      body: init,
    });
    assert.equal(foreignOrigin.status, 403);
    await foreignOrigin.body?.cancel();
    const sameOrigin = await fetch(`${s.url}/mcp`, {
      method: "POST",
      headers: { ...headers, origin: s.url },
      body: init,
    });
    assert.equal(sameOrigin.status, 200);
    assert.equal((await sameOrigin.json()).result.serverInfo.name, "sparkq");
    // The API's body limit: a body declared larger than 48 MiB is refused before it is read.
    const tooBig = await rawHttp(
      s.port,
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${60 * 1024 * 1024}\r\n` +
        `Connection: close\r\n\r\n{}`,
    );
    assert.match(tooBig, /^HTTP\/1\.1 413/);
    assert.match(tooBig, /larger than 50331648 bytes/);
    const get = await fetch(`${s.url}/mcp`);
    assert.equal(get.status, 405);
    await get.body?.cancel();

    // Stopping the server ends a waiting claim at once instead of waiting it out.
    const pending = call(a, "sparkq_claim", { stream: "st1", wait_seconds: 300 }).catch((e) => e);
    await sleep(500);
    const t0 = Date.now();
    assert.equal(await s.stop(), 0);
    assert.ok(Date.now() - t0 < 5000, `server stopped in ${Date.now() - t0} ms`);
    await pending;
  } finally {
    await c?.close().catch(() => {});
    await s.stop();
    await p.cleanup();
  }
});
