/**
 * The server's lockfile `sparkq.lock` (SPEC §3, §8): a second `run` is refused while
 * the first lives; a lockfile naming a dead PID is replaced; SIGTERM, SIGINT and
 * `sparkq stop` remove it.
 */
import assert from "node:assert/strict";
import { tempProject } from "./helpers.ts";
import { freePort, spawnRun, startServer, waitForHealth } from "./server_helpers.ts";
import { spawn } from "./support/process.ts";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a second run is refused while the first lives; SIGTERM removes the lockfile", async () => {
  const s = await startServer();
  const lock = `${s.p.dir}/sparkq.lock`;
  try {
    assert.equal((await Deno.readTextFile(lock)).trim(), String(s.pid));
    const second = await s.p.run(["run", "--no-watchers"]);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`^Error: the server is already running \\(PID ${s.pid}`),
    );
    assert.doesNotMatch(second.stderr, /\n\s+at /);
    assert.equal((await Deno.readTextFile(lock)).trim(), String(s.pid), "lockfile kept");
    const health = await fetch(`${s.url}/api/health`);
    assert.equal((await health.json()).pid, s.pid, "first server still serves");

    const code = await s.stop("SIGTERM");
    assert.equal(code, 0);
    assert.ok(!exists(lock), "lockfile removed on SIGTERM");
    assert.match(s.output(), /Server stopped\./);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("a lockfile naming a dead PID is replaced; SIGINT removes it", async () => {
  const p = await tempProject();
  const lock = `${p.dir}/sparkq.lock`;
  try {
    // A PID that certainly existed and is gone now.
    const gone = spawn("true", []);
    await gone.done();
    await Deno.writeTextFile(lock, `${gone.pid}\n`);
    const port = freePort();
    await p.ok(["setup", "--yes", "--port", String(port)]);
    const proc = spawnRun(p);
    assert.ok(await waitForHealth(`http://127.0.0.1:${port}`, proc.child), proc.output());
    assert.equal((await Deno.readTextFile(lock)).trim(), String(proc.child.pid));
    assert.match(
      proc.output(),
      new RegExp(`replaced a stale lockfile \\(PID ${gone.pid} is gone\\)`),
    );
    proc.child.kill("SIGINT");
    assert.equal(await proc.status(), 0);
    assert.ok(!exists(lock), "lockfile removed on SIGINT");

    // Garbage in the lockfile counts as stale too.
    await Deno.writeTextFile(lock, "not a pid\n");
    const again = spawnRun(p);
    assert.ok(await waitForHealth(`http://127.0.0.1:${port}`, again.child), again.output());
    assert.equal((await Deno.readTextFile(lock)).trim(), String(again.child.pid));
    again.child.kill("SIGTERM");
    assert.equal(await again.status(), 0);
  } finally {
    await p.cleanup();
  }
});

Deno.test("'sparkq stop' stops the server and its lockfile goes", async () => {
  const s = await startServer();
  const lock = `${s.p.dir}/sparkq.lock`;
  try {
    const status = JSON.parse(await s.p.ok(["status", "--json"]));
    assert.equal(status.server.running, true);
    assert.equal(status.server.pid, s.pid);
    await s.p.ok(["stop"]);
    assert.equal((await s.child.status).code, 0);
    assert.ok(!exists(lock), "lockfile removed after 'sparkq stop'");
    const after = JSON.parse(await s.p.ok(["status", "--json"]));
    assert.equal(after.server.running, false);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("a taken port is refused with a clear message and no lockfile is left", async () => {
  const p = await tempProject();
  const squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (squatter.addr as Deno.NetAddr).port;
    await p.ok(["setup", "--yes", "--port", String(port)]);
    const r = await p.run(["run", "--no-watchers"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^Error: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.ok(!exists(`${p.dir}/sparkq.lock`));
  } finally {
    squatter.close();
    await p.cleanup();
  }
});
