/**
 * `sparkq run` and the watchers (SPEC §7, §9): without a terminal and without
 * --session it runs just the server; with --session it starts the watcher of every
 * active stream of that session and stops them (locks removed) when it stops.
 */
import assert from "node:assert/strict";
import { tempProject } from "./helpers.ts";
import { freePort, spawnRun, waitForHealth } from "./server_helpers.ts";

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("run without a terminal or --session runs only the server", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "auth", "--session", "s1"]);
    const port = freePort();
    await p.ok(["setup", "--yes", "--port", String(port)]);
    const proc = spawnRun(p, []);
    try {
      assert.ok(await waitForHealth(`http://127.0.0.1:${port}`, proc.child), proc.output());
      assert.match(
        proc.output(),
        new RegExp(`SparkQ server running at http://127\\.0\\.0\\.1:${port}/`),
      );
      assert.match(proc.output(), /no watchers started/);
      assert.ok(!exists(`${p.dir}/tmp/sparkq-auth.lock`));
    } finally {
      proc.child.kill("SIGTERM");
      assert.equal(await proc.status(), 0);
    }
  } finally {
    await p.cleanup();
  }
});

Deno.test("run --session starts the session's watchers and stops them on exit", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    await p.ok(["stream", "create", "auth", "--session", "s1"]);
    await p.ok(["stream", "create", "docs", "--session", "s1"]);
    await p.ok(["stream", "create", "old", "--session", "s1"]);
    await p.ok(["stream", "end", "old"]);
    const port = freePort();
    await p.ok(["setup", "--yes", "--port", String(port)]);
    const proc = spawnRun(p, ["--session", "s1"]);
    try {
      assert.ok(await waitForHealth(`http://127.0.0.1:${port}`, proc.child), proc.output());
      const deadline = Date.now() + 10_000;
      while (!/Watching stream 'docs'/.test(proc.output()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(proc.output(), /Watching stream 'auth'/);
      assert.match(proc.output(), /Watching stream 'docs'/);
      assert.doesNotMatch(proc.output(), /Watching stream 'old'/);
      for (const s of ["auth", "docs"]) {
        assert.equal(
          (await Deno.readTextFile(`${p.dir}/tmp/sparkq-${s}.lock`)).trim().split(/\s+/)[0],
          String(proc.child.pid),
        );
      }
    } finally {
      proc.child.kill("SIGTERM");
      assert.equal(await proc.status(), 0);
    }
    assert.ok(!exists(`${p.dir}/tmp/sparkq-auth.lock`), "watcher lock removed");
    assert.ok(!exists(`${p.dir}/tmp/sparkq-docs.lock`), "watcher lock removed");
    assert.ok(!exists(`${p.dir}/sparkq.lock`), "server lock removed");

    // An unknown session is refused before anything keeps running.
    const r = await p.run(["run", "--session", "ghost"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: no session named 'ghost'/);
    assert.doesNotMatch(r.stdout, /server running/, "refused before starting the server");
    assert.ok(!exists(`${p.dir}/sparkq.lock`), "no lockfile left after a refused run");
  } finally {
    await p.cleanup();
  }
});
