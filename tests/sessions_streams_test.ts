import assert from "node:assert/strict";
import { assertRefused, tempProject } from "./helpers.ts";

Deno.test("session and stream lifecycle through the CLI", async () => {
  const p = await tempProject();
  try {
    assert.match(
      await p.ok(["session", "create", "api-v2", "-d", "API work"]),
      /Created session api-v2 \(ses_[0-9a-f]{12}\)/,
    );
    await p.ok(["stream", "create", "auth", "--session", "api-v2", "-i", "Implement JWT"]);
    await Deno.writeTextFile(`${p.dir}/brief.md`, "# Endpoints\nBuild them all.\n");
    await p.ok(["stream", "create", "endpoints", "--session=api-v2", "-i", "@brief.md"]);

    const streams = JSON.parse(await p.ok(["stream", "list", "--json"]));
    assert.deepEqual(streams.map((s: { name: string }) => s.name), ["auth", "endpoints"]);
    assert.deepEqual(streams[1].instructions, "# Endpoints\nBuild them all.\n");
    assert.deepEqual(streams[0].counts, {
      queued: 0,
      running: 0,
      stale: 0,
      succeeded: 0,
      failed: 0,
    });
    assert.match(streams[0].id, /^str_[0-9a-f]{12}$/);
    assert.match(streams[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const sessions = JSON.parse(await p.ok(["session", "list", "--json", "--status", "active"]));
    assert.deepEqual(sessions.length, 1);
    assert.deepEqual(sessions[0].stream_count, 2);
    assert.deepEqual(sessions[0].description, "API work");

    const table = await p.ok(["stream", "list"]);
    assert.match(table, /^NAME\s+SESSION\s+STATUS/);
    assert.match(table, /auth\s+api-v2\s+active/);

    await p.ok(["stream", "end", "auth"]);
    assert.deepEqual(
      p.query("SELECT status FROM streams WHERE name='auth'")[0].status,
      "ended",
    );
    assert.match(await p.ok(["session", "end", "api-v2"]), /Ended session api-v2 and 1 stream/);
    assert.deepEqual(
      p.query("SELECT name, status FROM streams ORDER BY name"),
      [{ name: "auth", status: "ended" }, { name: "endpoints", status: "ended" }],
    );
    assert.deepEqual(JSON.parse(await p.ok(["session", "list", "--json", "--status=active"])), []);
    assert.deepEqual(
      JSON.parse(await p.ok(["session", "list", "--json", "--status=ended"])).length,
      1,
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("bad session and stream input is refused and changes nothing", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "auth", "--session", "s1"]);
    await assertRefused(p, ["session", "create", "s1"], /session 's1' already exists/);
    await assertRefused(
      p,
      ["stream", "create", "auth", "--session", "s1"],
      /stream 'auth' already exists/,
    );
    await assertRefused(p, ["session", "create", "-bad"], /unknown flag|invalid session name/, 2);
    await assertRefused(
      p,
      ["session", "create", ".hidden"],
      /invalid session name ".hidden": it starts with '.'/,
    );
    await assertRefused(
      p,
      ["stream", "create", "a/b", "--session", "s1"],
      /invalid stream name "a\/b": it contains "\/"/,
    );
    await assertRefused(p, ["stream", "create", "x".repeat(65), "--session", "s1"], /at most 64/);
    await assertRefused(
      p,
      ["stream", "create", "x", "--session", "nope"],
      /no session named 'nope'/,
    );
    await assertRefused(p, ["stream", "create", "x", "--session", "s2"], /did you mean 's1'/);
    await assertRefused(p, ["stream", "create", "x"], /--session is required/, 2);
    await assertRefused(
      p,
      ["stream", "create", "x", "--session", "s1", "-i", "@missing.md"],
      /cannot read instructions .*missing\.md: no such file/,
    );
    await assertRefused(
      p,
      ["session", "list", "--status", "done"],
      /--status must be one of active, ended \(got 'done'\)/,
      2,
    );
    await assertRefused(
      p,
      ["sesion", "list"],
      /unknown command 'sesion'[\s\S]*did you mean 'sparkq session'/,
      2,
    );
    await assertRefused(p, ["session", "lst"], /did you mean 'sparkq session list'/, 2);
    await assertRefused(
      p,
      ["session", "list", "--jsn"],
      /unknown flag '--jsn'[\s\S]*did you mean '--json'/,
      2,
    );
    await assertRefused(p, ["session", "create"], /missing argument <name>/, 2);
    await assertRefused(p, ["session", "end", "nope"], /no session named 'nope'/);
    await assertRefused(p, ["stream", "end", "nope"], /no stream named 'nope'/);

    await p.ok(["session", "end", "s1"]);
    await assertRefused(
      p,
      ["stream", "create", "late", "--session", "s1"],
      /session 's1' is ended: it takes no new streams/,
    );
    await assertRefused(p, ["session", "end", "s1"], /already ended/);
    await assertRefused(p, ["stream", "end", "auth"], /already ended/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("status shows the server as down and per-stream counts", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "auth", "--session", "s1"]);
    const out = await p.ok(["status"]);
    assert.match(out, /Server: not running/);
    assert.match(out, /auth\s+s1\s+active\s+0\s+0\s+0\s+0\s+0/);
    const json = JSON.parse(await p.ok(["status", "--json"]));
    assert.deepEqual(json.server.running, false);
    assert.deepEqual(json.project.name, "test");
    assert.deepEqual(json.streams[0].counts.queued, 0);
    assert.ok(json.sessions[0].name === "s1");
  } finally {
    await p.cleanup();
  }
});
