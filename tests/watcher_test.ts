/**
 * The per-stream watcher (`sparkq watch`), `sparkq stop` and the watchers `sparkq run`
 * starts in-process: lock rules, FIFO wake-ups gated by the done flag, clean exits.
 */
import assert from "node:assert/strict";
import { assertRefused, type TempProject, tempProject } from "./helpers.ts";
import { run, spawn, spawnSparkq } from "./support/process.ts";
import {
  bg,
  deadPid,
  exists,
  readFifo,
  startWatcher,
  tmpOf,
  until,
} from "./fixtures/worker_lib.ts";
import { openProject } from "../src/cli/context.ts";
import { startWatchersForRun } from "../src/commands/run_watchers.ts";
import { DbChanges } from "../src/watcher/db_changes.ts";

async function project(streams: string[] = ["st1"]): Promise<TempProject> {
  const p = await tempProject();
  await p.ok(["session", "create", "s1"]);
  for (const s of streams) await p.ok(["stream", "create", s, "--session", "s1"]);
  return p;
}

function files(p: TempProject, stream: string) {
  const t = tmpOf(p);
  return {
    lock: `${t}/sparkq-${stream}.lock`,
    fifo: `${t}/sparkq-${stream}-pipe`,
    done: `${t}/sparkq-${stream}-done`,
  };
}

const enqueue = (p: TempProject, stream: string) =>
  p.ok(["enqueue", "run-bash", '{"command":"true"}', "--stream", stream]).then((s) => s.trim());

Deno.test("watch: lock holds its PID, a second watcher is refused naming it, SIGTERM cleans up", async () => {
  const p = await project();
  const f = files(p, "st1");
  const w = await startWatcher(p, "st1");
  try {
    assert.equal(Deno.readTextFileSync(f.lock).split("\n")[0], String(w.pid));
    assert.ok(Deno.lstatSync(f.fifo).isFifo, "the FIFO exists");
    await assertRefused(p, ["watch", "st1"], new RegExp(`already has a watcher: PID ${w.pid}\\b`));
    assert.equal(Deno.readTextFileSync(f.lock).split("\n")[0], String(w.pid), "lock kept");

    w.child.kill("SIGTERM");
    const r = await w.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Watcher stopped\./);
    assert.ok(!exists(f.lock), "SIGTERM removes the lock");
    assert.ok(!exists(f.fifo), "and the FIFO");
    // A worker that comes to read after the watcher left fails at once (never blocks).
    assert.equal(await readFifo(f.fifo).line, "EOF");
  } finally {
    w.kill();
    await p.cleanup();
  }
});

Deno.test("watch: a stale lock (dead PID) is replaced; SIGINT also exits cleanly", async () => {
  const p = await project();
  const f = files(p, "st1");
  const dead = await deadPid();
  Deno.writeTextFileSync(f.lock, `${dead}\n`);
  const w = await startWatcher(p, "st1");
  try {
    assert.equal(Deno.readTextFileSync(f.lock).split("\n")[0], String(w.pid));
    w.child.kill("SIGINT");
    assert.equal((await w.finish()).code, 0);
    assert.ok(!exists(f.lock));
  } finally {
    w.kill();
    await p.cleanup();
  }
});

Deno.test("watch: wakes only while the done flag exists and a task is queued", async () => {
  const p = await project();
  const f = files(p, "st1");
  const w = await startWatcher(p, "st1");
  const reader = readFifo(f.fifo);
  let got = "";
  reader.line.then((l) => got = l);
  try {
    // Flag without work: no wake; work without flag: no wake.
    Deno.writeTextFileSync(f.done, "");
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(exists(f.done), "flag kept while nothing is queued");
    Deno.removeSync(f.done);
    const id = await enqueue(p, "st1");
    await new Promise((r) => setTimeout(r, 1000)); // ten polls or so
    assert.equal(got, "", "no wake while the done flag is absent");
    assert.doesNotMatch(w.out.text(), /woke/);

    // The worker says it is idle: one wake, and the flag is consumed.
    Deno.writeTextFileSync(f.done, "");
    assert.equal(await reader.line, "wake");
    assert.ok(!exists(f.done), "the watcher removed the flag");
    await until(() => w.out.text().includes(`woke the worker: ${id}`), "the wake log line");

    // The task is still queued (the watcher never claims); a second touch wakes again.
    const again = readFifo(f.fifo);
    Deno.writeTextFileSync(f.done, "");
    assert.equal(await again.line, "wake");
    assert.equal((await p.ok(["peek", "--stream", "st1"])).includes(id), true);
  } finally {
    reader.kill();
    w.child.kill("SIGTERM");
    await w.finish();
    await p.cleanup();
  }
});

Deno.test("watch: unknown or ended stream is refused; ending the stream stops the watcher", async () => {
  const p = await project(["st1", "st2"]);
  try {
    await assertRefused(p, ["watch", "nope"], /no stream named 'nope'/);
    await assertRefused(p, ["watch", "../etc"], /invalid stream name/);
    await p.ok(["stream", "end", "st2"]);
    await assertRefused(p, ["watch", "st2"], /stream 'st2' is ended/);
    assert.ok(!exists(files(p, "st2").lock), "a refused watcher leaves no lock");

    const w = await startWatcher(p, "st1");
    const reader = readFifo(files(p, "st1").fifo);
    await p.ok(["stream", "end", "st1"]);
    const r = await w.finish();
    assert.equal(r.code, 0);
    assert.match(r.stdout, /stream 'st1' was ended/);
    assert.equal(await reader.line, "EOF", "a blocked worker learns the watcher is gone");
    assert.ok(!exists(files(p, "st1").lock));
  } finally {
    await p.cleanup();
  }
});

Deno.test("watch: a full pipe that nobody reads does not hang the watcher", async () => {
  const p = await project();
  const f = files(p, "st1");
  const w = await startWatcher(p, "st1");
  try {
    // Fill the pipe to the brim (64 KiB by default) from our side.
    const fifo = Deno.openSync(f.fifo, { read: true, write: true });
    const chunk = new Uint8Array(4096);
    let total = 0;
    const filling = (async () => {
      for (;;) total += await fifo.write(chunk);
    })();
    filling.catch(() => {});
    let last = -1;
    await until(async () => {
      const stable = total === last;
      last = total;
      await new Promise((r) => setTimeout(r, 100));
      return stable && total > 0;
    }, "the pipe to fill");

    await enqueue(p, "st1");
    Deno.writeTextFileSync(f.done, "");
    await until(() => !exists(f.done), "the watcher to take the flag");
    // Its wake is parked on the full pipe; the watcher still polls and still stops.
    Deno.writeTextFileSync(f.done, "");
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(exists(f.done), "no second write is started while one is parked");
    const stop = await p.ok(["stop", "--stream", "st1"]);
    assert.match(stop, new RegExp(`Stopped the watcher of stream 'st1' \\(PID ${w.pid}\\)`));
    assert.equal((await w.finish()).code, 0);
    assert.ok(!exists(f.lock));
    fifo.close();
  } finally {
    w.kill();
    await p.cleanup();
  }
});

Deno.test("stop: nothing running, one stream's watcher, then everything (server + watchers)", async () => {
  const p = await project(["st1", "st2"]);
  const sleeper = spawn("sleep", ["60"]);
  try {
    assert.match(await p.ok(["stop"]), /Nothing to stop: the server is not running/);
    assert.match(await p.ok(["stop", "--stream", "st1"]), /No watcher is running for stream 'st1'/);
    await assertRefused(p, ["stop", "--stream", "nope"], /no stream named 'nope'/);

    const w1 = await startWatcher(p, "st1");
    const w2 = await startWatcher(p, "st2");
    const id = await enqueue(p, "st1");
    await p.ok(["claim", "--stream", "st1"]);
    const queued = await enqueue(p, "st1");

    // One stream: only that watcher goes.
    assert.match(await p.ok(["stop", "--stream", "st2"]), /Stopped the watcher of stream 'st2'/);
    assert.equal((await w2.finish()).code, 0);
    assert.ok(!exists(files(p, "st2").lock));
    assert.ok(exists(files(p, "st1").lock), "the other watcher keeps running");

    // Everything: the watchers and the server. Here sparkq.lock names a stand-in that is
    // not a SparkQ server: the watchers are stopped, the stand-in is refused, untouched
    // (a real server is stopped in lockfile_test.ts).
    Deno.writeTextFileSync(`${p.dir}/sparkq.lock`, `${sleeper.pid}\n`);
    const all = await p.run(["stop"]);
    assert.equal(all.code, 1, all.stderr);
    assert.match(all.stdout, new RegExp(`Stopped the watcher of stream 'st1' \\(PID ${w1.pid}\\)`));
    assert.match(all.stderr, new RegExp(`names PID ${sleeper.pid}, but it is not a SparkQ server`));
    assert.equal((await w1.finish()).code, 0);
    const still = await run("kill", ["-0", String(sleeper.pid)]);
    assert.equal(still.code, 0, "the stand-in was not signalled");

    // Tasks untouched.
    const t1 = JSON.parse(await p.ok(["task", id, "--json"]));
    const t2 = JSON.parse(await p.ok(["task", queued, "--json"]));
    assert.equal(t1.status, "running");
    assert.equal(t2.status, "queued");

    // A stale server lockfile and a stale watcher lock are cleaned up and reported.
    const dead = await deadPid();
    Deno.writeTextFileSync(`${p.dir}/sparkq.lock`, `${dead}\n`);
    Deno.writeTextFileSync(files(p, "st2").lock, `${dead}\nwatch x\n`);
    const stale = await p.ok(["stop"]);
    assert.match(stale, /removed the stale lock of stream 'st2'/i);
    assert.match(stale, /removed its stale lockfile/);
    assert.ok(!exists(`${p.dir}/sparkq.lock`) && !exists(files(p, "st2").lock));
  } finally {
    await sleeper.stop("SIGKILL");
    await p.cleanup();
  }
});

Deno.test("run's watchers: all streams of --session in-process; stop --stream stops exactly one", async () => {
  const p = await project(["st1", "st2"]);
  await p.ok(["session", "create", "other"]);
  await p.ok(["stream", "create", "elsewhere", "--session", "other"]);
  const before = Deno.env.get("SPARKQ_TMPDIR");
  Deno.env.set("SPARKQ_TMPDIR", tmpOf(p));
  const inv = (flags: { session?: string }) => ({
    command: "run",
    args: {},
    flags: { ...flags, "no-watchers": false, help: false },
    cwd: p.dir,
    usage: "",
  });
  const proj = await openProject(inv({}));
  let watchers: { stop(): Promise<void> } | undefined;
  try {
    await assert.rejects(startWatchersForRun(proj, inv({ session: "nope" })), /no session/);
    watchers = await startWatchersForRun(proj, inv({ session: "s1" }));
    for (const s of ["st1", "st2"]) {
      const lock = Deno.readTextFileSync(files(p, s).lock).split("\n");
      assert.equal(lock[0], String(Deno.pid));
      assert.match(lock[1], /^run /);
    }
    assert.ok(!exists(files(p, "elsewhere").lock), "streams of other sessions are not watched");
    await assertRefused(p, ["watch", "st1"], /inside the 'sparkq run' server/);

    // The in-process watcher wakes a worker like a standalone one.
    await enqueue(p, "st1");
    const reader = readFifo(files(p, "st1").fifo);
    Deno.writeTextFileSync(files(p, "st1").done, "");
    assert.equal(await reader.line, "wake");

    // stop --stream st1 ends that watcher only; this process (the "server") lives on.
    assert.match(
      await p.ok(["stop", "--stream", "st1"]),
      /watcher of stream 'st1' inside the server .*keeps running/,
    );
    await until(() => !exists(files(p, "st1").lock), "st1's lock to go");
    await enqueue(p, "st1");
    Deno.writeTextFileSync(files(p, "st1").done, "");
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(exists(files(p, "st1").done), "the stopped watcher no longer wakes");
    assert.ok(exists(files(p, "st2").lock), "st2's watcher still runs");
    // A standalone watcher can now take st1.
    const w = await startWatcher(p, "st1");
    w.child.kill("SIGTERM");
    await w.finish();

    await watchers.stop();
    assert.ok(!exists(files(p, "st2").lock), "run's stop() releases the locks");
  } finally {
    await watchers?.stop();
    proj.db.close();
    if (before === undefined) Deno.env.delete("SPARKQ_TMPDIR");
    else Deno.env.set("SPARKQ_TMPDIR", before);
    await p.cleanup();
  }
});

Deno.test("sparkq run without --session and without a terminal: no watchers, a note", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const p = await tempProject(["--port", String(port)]);
  await p.ok(["session", "create", "s1"]);
  await p.ok(["stream", "create", "st1", "--session", "s1"]);
  const server = bg(p, ["run"]);
  try {
    await until(() => server.out.text().includes("Press Ctrl-C"), "the server");
    assert.match(server.out.text(), /No --session and no terminal to ask on: no watchers started/);
    assert.ok(!exists(files(p, "st1").lock));
    assert.match(await p.ok(["stop"]), /Stopped the server/);
    assert.equal((await server.finish()).code, 0);
  } finally {
    server.kill();
    await p.cleanup();
  }
});

Deno.test("sparkq run --session: watchers inside the server; stop --stream, then stop", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const p = await tempProject(["--port", String(port)]);
  await p.ok(["session", "create", "s1"]);
  for (const s of ["st1", "st2"]) await p.ok(["stream", "create", s, "--session", "s1"]);
  const server = bg(p, ["run", "--session", "s1"]);
  try {
    await until(() => server.out.text().includes("Watching stream 'st2'"), "the server's watchers");
    for (const s of ["st1", "st2"]) {
      const lock = Deno.readTextFileSync(files(p, s).lock).split("\n");
      assert.equal(lock[0], String(server.child.pid), "the server's PID holds the lock");
      assert.match(lock[1], /^run /);
    }
    await enqueue(p, "st2");
    const reader = readFifo(files(p, "st2").fifo);
    Deno.writeTextFileSync(files(p, "st2").done, "");
    assert.equal(await reader.line, "wake");

    assert.match(await p.ok(["stop", "--stream", "st1"]), /inside the server .*keeps running/);
    await until(() => server.out.text().includes("watcher st1 stopped"), "st1's watcher to stop");
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    assert.equal(health.status, 200, "the server still runs");
    await health.body?.cancel();
    assert.ok(exists(files(p, "st2").lock));

    const out = await p.ok(["stop"]);
    assert.match(out, new RegExp(`Stopped the server \\(PID ${server.child.pid}\\)`));
    const r = await server.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!exists(files(p, "st2").lock), "the server's watchers released their locks");
    assert.ok(!exists(`${p.dir}/sparkq.lock`));
    assert.match(await p.ok(["stop"]), /Nothing to stop/);
  } finally {
    server.kill();
    await p.cleanup();
  }
});

Deno.test("DbChanges: a write by another process is noticed; no WAL file means polling", async () => {
  const p = await project();
  const changes = new DbChanges(p.db);
  const none = new DbChanges(`${p.dir}/missing.db`);
  try {
    assert.equal(none.live, false, "nothing to watch: callers poll");
    // The WAL file exists once a connection has opened the database.
    const proj = await openProject({ flags: {}, cwd: p.dir });
    changes.rearm();
    assert.equal(changes.live, true);
    let seen = 0;
    changes.onChange(() => seen++);
    await enqueue(p, "st1");
    await until(() => seen > 0, "a change notice");
    proj.db.close();
  } finally {
    changes.close();
    none.close();
    await p.cleanup();
  }
});

Deno.test("sparkq run on a terminal: pick a session, then a stream; its instructions are shown", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const p = await tempProject(["--port", String(port)]);
  await p.ok(["session", "create", "s1", "-d", "first"]);
  await p.ok(["session", "create", "s2"]);
  await p.ok(["stream", "create", "a", "--session", "s1"]);
  await p.ok(["stream", "create", "b", "--session", "s2", "-i", "Build the B things."]);
  await p.ok(["stream", "create", "c", "--session", "s2"]);
  await enqueue(p, "b");
  // `script` gives the server a pseudo-terminal; answers are typed when asked.
  const child = spawnSparkq(["run"], {
    cwd: p.dir,
    env: { SPARKQ_TMPDIR: tmpOf(p) },
    launcher: p.launcher,
    terminal: true,
    interactive: true,
  });
  try {
    await until(() => child.stdout().includes("Session ["), "the session question");
    assert.match(child.stdout(), /1\. s1 \(1 streams\) — first[\s\S]*2\. s2 \(2 streams\)/);
    await child.write("2\r");
    await until(() => child.stdout().includes("Stream ["), "the stream question");
    assert.match(child.stdout(), /1\. b \(1 queued\)[\s\S]*2\. c \(0 queued\)/);
    await child.write("1\r");
    await until(() => child.stdout().includes("Watching stream 'b'"), "the watcher of b");
    assert.match(child.stdout(), /Stream 'b': 1 queued[\s\S]*Build the B things\./);
    assert.ok(exists(files(p, "b").lock) && !exists(files(p, "c").lock), "only b is watched");
    assert.match(await p.ok(["stop"]), /Stopped the server/);
    assert.equal(await child.status(), 0, child.stderr());
    assert.ok(!exists(files(p, "b").lock));
  } finally {
    await child.stop("SIGKILL");
    await p.cleanup();
  }
});
