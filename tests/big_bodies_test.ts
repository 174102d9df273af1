/**
 * Oversized request bodies (issue 10: ten concurrent 45 MiB payloads took the server
 * to 2.2 GiB): the API refuses a body over its route's limit by its Content-Length
 * before reading it, and stops reading a streamed body as soon as it passes the
 * limit (413, code `too_large`). The server's RSS stays bounded while ten clients
 * send such bodies at once.
 */
import assert from "node:assert/strict";
import { startServer } from "./server_helpers.ts";
import { shell } from "./support/process.ts";
import { MAX_JSON_BYTES } from "../src/core/constants.ts";

/** The server's resident memory in KiB (VmRSS of /proc/<pid>/status, read through sh). */
async function rssKiB(pid: number): Promise<number> {
  const out = await shell('grep VmRSS "/proc/$1/status"', [String(pid)]);
  return Number(/(\d+)/.exec(out.stdout)?.[1]);
}

/** A JSON enqueue body of about `bytes` bytes. */
function body(bytes: number): Uint8Array<ArrayBuffer> {
  const head = '{"stream":"st","tool_name":"run-bash","payload":{"x":"';
  const tail = '"}}';
  const out = new Uint8Array(bytes);
  out.fill(0x61);
  out.set(new TextEncoder().encode(head), 0);
  out.set(new TextEncoder().encode(tail), bytes - tail.length);
  return out;
}

/** POSTs `data` (streamed in 64 KiB chunks when `stream`); the status, or "closed". */
async function post(
  url: string,
  data: Uint8Array<ArrayBuffer>,
  stream = false,
): Promise<number | string> {
  const chunks = stream
    ? new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < data.length; i += 65536) c.enqueue(data.subarray(i, i + 65536));
        c.close();
      },
    })
    : data;
  try {
    const res = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunks,
    });
    const text = await res.text();
    if (res.status === 413) assert.equal(JSON.parse(text).code, "too_large");
    return res.status;
  } catch {
    return "closed"; // the server answered and closed while the client was still sending
  }
}

Deno.test("oversized bodies are refused early with 413 too_large and the server's memory stays bounded", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "st", "--session", "s1"]);
    const huge = body(45 * 1024 * 1024);
    const before = await rssKiB(s.pid);
    let peak = before;
    const sampler = setInterval(async () => {
      peak = Math.max(peak, await rssKiB(s.pid));
    }, 20);
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => post(s.url, huge)),
      ...Array.from({ length: 3 }, () => post(s.url, huge, true)),
    ]);
    clearInterval(sampler);
    peak = Math.max(peak, await rssKiB(s.pid));
    for (const a of answers) assert.ok(a === 413 || a === "closed", `answer ${a}`);
    assert.ok(answers.includes(413), `no 413 at all: ${answers}`);
    const grewMiB = (peak - before) / 1024;
    // 13 bodies of 45 MiB (585 MiB) sent at once: at most ~2 MiB of each is ever read.
    assert.ok(grewMiB < 150, `server RSS grew by ${grewMiB.toFixed(0)} MiB`);

    // A streamed body (no Content-Length) over the limit is refused too.
    assert.equal(await post(s.url, body(3 * MAX_JSON_BYTES), true), 413);
    // A payload at the limit is accepted; nothing of the refused ones was stored.
    const ok = await fetch(`${s.url}/api/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(MAX_JSON_BYTES),
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 201);
    const list = await (await fetch(`${s.url}/api/tasks`)).json();
    assert.equal(list.length, 1);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});
