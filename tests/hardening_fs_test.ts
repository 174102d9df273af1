/**
 * Hardening, the process and file-system half (SPEC §12.4, issue 10): another local
 * user (uid 65534 through `setpriv`; CI runs as root) must not make `sparkq stop` signal
 * a process of ours nor plant watcher files we trust; `stop` signals only a verified
 * SparkQ watcher or server; paths the user names are checked after resolving symlinks;
 * `setup` never writes through the launcher's fallback; a user-given tool name never
 * reaches Object.prototype. Each attack runs against the source and a freshly built
 * launcher.
 */
import assert from "node:assert/strict";
import {
  assertRefused,
  bash,
  freshLauncher,
  outsideDir,
  sparkq,
  type TempProject,
  tempProject,
} from "./helpers.ts";
import { isAlive, run, spawn, spawnSparkq } from "./support/process.ts";
import { api, startServer } from "./server_helpers.ts";
import { exists, until } from "./fixtures/worker_lib.ts";

const NOBODY = 65534;
const isRoot = Deno.uid() === 0;
const hasSetpriv = await run("setpriv", ["--version"]).then((r) => r.code === 0, () => false);
/** The second-user attacks need root (to switch user) and setpriv, as in CI. */
const secondUser = { ignore: !(isRoot && hasSetpriv) };

/** Runs a shell script as uid/gid 65534 with no supplementary groups. */
async function asNobody(script: string): Promise<void> {
  const r = await run("setpriv", [
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    "--clear-groups",
    "sh",
    "-c",
    script,
  ]);
  assert.ok(r.code === 0, `as uid ${NOBODY}: ${r.stderr}`);
}

/** A fresh stream name (watcher files in the shared default dir must not collide). */
function uniqueName(prefix: string): string {
  return `${prefix}${crypto.randomUUID().slice(0, 8)}`;
}

/** Where each attack is run: the source (deno run main.ts) and the built launcher. */
const VIAS: [string, () => Promise<string | undefined>][] = [
  ["source", () => Promise.resolve(undefined)],
  ["launcher", () => freshLauncher()],
];

async function project(launcher: string | undefined, streams: string[]): Promise<TempProject> {
  const p = await tempProject([], { launcher });
  await p.ok(["session", "create", "s1"]);
  for (const s of streams) await p.ok(["stream", "create", s, "--session", "s1"]);
  return p;
}

for (const [via, launcherOf] of VIAS) {
  Deno.test({
    name: `stop (${via}): a lock another user plants in /tmp never gets a process of ours killed`,
    ...secondUser,
  }, async () => {
    const stream = uniqueName("rt");
    const p = await project(await launcherOf(), [stream]);
    const victim = spawn("sleep", ["300"]);
    const planted = `/tmp/sparkq-${stream}.lock`;
    const defaults = { env: { SPARKQ_TMPDIR: "" } }; // the default dir: /tmp/sparkq-<uid>
    try {
      // The attack of issue 10: the old shared lock path, written by uid 65534.
      await asNobody(`printf '%s\\nwatch 00\\n' ${victim.pid} > ${planted}`);
      const r = await p.run(["stop", "--stream", stream], defaults);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`No watcher is running for stream '${stream}'`));
      assert.ok(await isAlive(victim.pid), "the victim process was not signalled");

      // The default dir is private: 0700 and ours, and the lock would go there.
      const paths = JSON.parse(await p.ok(["watch", stream, "--paths"], defaults));
      const dir = `/tmp/sparkq-${Deno.uid()}`;
      assert.deepEqual(paths, {
        lock: `${dir}/sparkq-${stream}.lock`,
        fifo: `${dir}/sparkq-${stream}-pipe`,
        done: `${dir}/sparkq-${stream}-done`,
      });
      const info = Deno.lstatSync(dir);
      assert.ok(info.isDirectory && !info.isSymlink);
      assert.equal(info.mode! & 0o777, 0o700);
      assert.equal(info.uid, Deno.uid());
    } finally {
      await victim.stop("SIGKILL"); // (if still running: the attack may have killed it)
      await bash('rm -f -- "$1"', planted);
      await p.cleanup();
    }
  });

  Deno.test(`stop (${via}): a lock naming a live process that is not SparkQ's is refused, not signalled`, async () => {
    const p = await project(await launcherOf(), ["st1"]);
    const victim = spawn("sleep", ["300"]);
    const lock = `${p.dir}/tmp/sparkq-st1.lock`;
    try {
      // A reused PID, or a lock written by anything else of ours: the watcher's lock ...
      Deno.writeTextFileSync(lock, `${victim.pid}\nwatch 00\n`);
      let r = await assertRefused(
        p,
        ["stop", "--stream", "st1"],
        new RegExp(
          `names PID ${victim.pid}, but it is not the SparkQ watcher of stream 'st1' \\(it runs: \\S*sleep 300\\): not signalled`,
        ),
      );
      assert.match(r.stderr, /remove .*sparkq-st1\.lock/);
      assert.ok(await isAlive(victim.pid), "not signalled");
      assert.equal(Deno.readTextFileSync(lock).split("\n")[0], String(victim.pid), "lock kept");

      // ... and the server's lockfile: `stop` (everything) refuses both.
      Deno.writeTextFileSync(`${p.dir}/sparkq.lock`, `${victim.pid}\n`);
      r = await assertRefused(p, ["stop"], /is not a SparkQ server \('sparkq run'\)/);
      assert.match(r.stderr, /not the SparkQ watcher of stream 'st1'/);
      assert.ok(await isAlive(victim.pid), "not signalled");

      // A real watcher is still stopped (verified through ps).
      Deno.removeSync(lock);
      Deno.removeSync(`${p.dir}/sparkq.lock`);
      const w = spawnSparkq(["watch", "st1"], {
        cwd: p.dir,
        env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
        launcher: p.launcher,
      });
      await until(() => exists(lock), "the watcher's lock");
      assert.match(await p.ok(["stop", "--stream", "st1"]), /Stopped the watcher of stream 'st1'/);
      assert.equal(await w.status(), 0);
    } finally {
      await victim.stop("SIGKILL"); // (if still running: the attack may have killed it)
      await p.cleanup();
    }
  });

  Deno.test({
    name:
      `private dir (${via}): made 0700; a symlink, another user's or a shared folder is refused; so are their lock and done flag`,
    ...secondUser,
  }, async () => {
    const p = await project(await launcherOf(), ["st1"]);
    const shared = await Deno.makeTempDir({ prefix: "sparkq-shared-" });
    Deno.chmodSync(shared, 0o1777); // like /tmp: anyone may create, sticky
    const run = (dir: string, args: string[]) => p.run(args, { env: { SPARKQ_TMPDIR: dir } });
    const refused = async (dir: string, args: string[], pattern: RegExp) => {
      const r = await run(dir, args);
      const where = `${args.join(" ")} with SPARKQ_TMPDIR=${dir}\n${r.stdout}${r.stderr}`;
      assert.equal(r.code, 1, where);
      assert.match(r.stderr, pattern, where);
      assert.doesNotMatch(r.stderr, /\n\s+at |unexpected failure/, where);
    };
    try {
      // Missing: created with mode 0700.
      const mine = `${shared}/mine`;
      const paths = JSON.parse((await run(mine, ["watch", "st1", "--paths"])).stdout);
      assert.equal(paths.fifo, `${mine}/sparkq-st1-pipe`);
      assert.equal(Deno.statSync(mine).mode! & 0o777, 0o700);

      // Another user's folder (they could swap our files in it).
      await asNobody(`mkdir -m 700 ${shared}/theirs`);
      for (
        const args of [["watch", "st1"], ["stop", "--stream", "st1"], ["watch", "st1", "--paths"]]
      ) {
        await refused(
          `${shared}/theirs`,
          args,
          /belongs to uid 65534, not to you .*private to you/,
        );
      }
      // 'stop' (everything) still stops the server, and says why no watcher was looked at.
      const server = await startServer({ p });
      const all = await run(`${shared}/theirs`, ["stop"]);
      assert.equal(all.code, 1, all.stdout + all.stderr);
      assert.match(all.stdout, new RegExp(`Stopped the server \\(PID ${server.pid}\\)`));
      assert.match(all.stderr, /belongs to uid 65534, not to you/);
      assert.equal(await server.stop(), 0, "the server exited on its own (SIGTERM from stop)");
      // A symlink (even to our own private folder), and a folder anyone may write.
      await symlink(mine, `${shared}/link`);
      await refused(`${shared}/link`, ["watch", "st1"], /is a symlink/);
      Deno.mkdirSync(`${shared}/open`);
      Deno.chmodSync(`${shared}/open`, 0o777);
      await refused(`${shared}/open`, ["watch", "st1"], /writable by everyone \(mode 0777\)/);
      Deno.chmodSync(`${shared}/open`, 0o770);
      await refused(`${shared}/open`, ["stop", "--stream", "st1"], /writable by its group/);
      // Through a symlinked parent to a folder outside what SparkQ may write: nothing made.
      await symlink("/etc", `${shared}/etc`);
      await refused(
        `${shared}/etc/sparkq-x`,
        ["watch", "st1"],
        /outside the folders SparkQ may write \(it leads to \/etc\/sparkq-x through a symlink\)/,
      );
      assert.ok(!exists("/etc/sparkq-x"), "nothing was created in /etc");

      // Our private folder with a lock and a done flag that uid 65534 left in it (made
      // while the folder was open, then closed again): refused, never trusted or replaced.
      const priv = `${shared}/priv`;
      Deno.mkdirSync(priv);
      Deno.chmodSync(priv, 0o777);
      await asNobody(`echo 1 > ${priv}/sparkq-st1.lock; touch ${priv}/sparkq-st1-done`);
      Deno.chmodSync(priv, 0o700);
      await refused(
        priv,
        ["watch", "st1"],
        /the done flag .*sparkq-st1-done belongs to another user \(uid 65534\)/,
      );
      Deno.removeSync(`${priv}/sparkq-st1-done`);
      await refused(
        priv,
        ["watch", "st1"],
        /the lock file .*sparkq-st1\.lock belongs to another user \(uid 65534\)/,
      );
      await refused(priv, ["stop", "--stream", "st1"], /sparkq-st1\.lock belongs to another user/);
      assert.equal(Deno.readTextFileSync(`${priv}/sparkq-st1.lock`), "1\n", "their lock untouched");
    } finally {
      await bash('rm -rf -- "$1"', shared);
      await p.cleanup();
    }
  });

  Deno.test(`symlinks (${via}): @FILE, --*-file, --config, database.path and script dirs must resolve inside the allowed folders`, async () => {
    const p = await project(await launcherOf(), ["st1"]);
    const outside = await outsideDir();
    try {
      const secret = `${p.dir}/secret`;
      await symlink("/etc/passwd", secret);
      const leads =
        /outside the folders SparkQ may read \(it leads to \/etc\/passwd through a symlink\)/;
      await assertRefused(
        p,
        ["stream", "create", "st2", "--session", "s1", "-i", `@${secret}`],
        leads,
      );
      await p.ok(["enqueue", "run-bash", "{}", "--stream", "st1"]);
      const id = JSON.parse(await p.ok(["claim", "--stream", "st1"])).id;
      await assertRefused(p, ["complete", id, "--result-file", secret], leads);
      await assertRefused(
        p,
        ["complete", id, "--result", '{"summary":"x"}', "--stdout-file", secret],
        leads,
      );
      await assertRefused(p, ["fail", id, "--error", "x", "--stderr-file", secret], leads);
      // A link that stays inside is fine.
      Deno.writeTextFileSync(`${p.dir}/notes.txt`, "inside");
      await symlink(`${p.dir}/notes.txt`, `${p.dir}/notes-link`);
      await p.ok(["fail", id, "--error", "x", "--stderr-file", `${p.dir}/notes-link`]);
      assert.equal(JSON.parse(await p.ok(["task", id, "--json"])).stderr, "inside");

      // --config through a link to a sparkq.yml outside the readable folders.
      await bash('cp "$1" "$2/sparkq.yml"', `${p.dir}/sparkq.yml`, outside);
      await symlink(`${outside}/sparkq.yml`, `${p.dir}/other.yml`);
      await assertRefused(
        p,
        ["session", "list", "--config", `${p.dir}/other.yml`],
        /the config file .*other\.yml is outside the folders SparkQ may read \(it leads to .*sparkq-perm-test-/,
      );

      // Script dirs: a linked folder outside is not indexed (a warning says why).
      await bash(
        'mkdir "$1/scripts" && printf "#!/bin/sh\\n# name: stolen\\n" > "$1/scripts/s.sh"',
        outside,
      );
      await symlink(`${outside}/scripts`, `${p.dir}/scripts-link`);
      await p.ok(["setup", "--yes", "--script-dir", "scripts-link"]);
      const scripts = await p.run(["scripts", "--json"]);
      assert.doesNotMatch(scripts.stdout, /stolen/, scripts.stdout);
      assert.match(
        scripts.stdout + scripts.stderr,
        /script dir 'scripts-link' .* is outside the folders SparkQ may read \(it leads to/,
      );

      // database.path through a linked folder: refused, and nothing is created there.
      await symlink(outside, `${p.dir}/db-link`);
      const yml = `${p.dir}/sparkq.yml`;
      const text = Deno.readTextFileSync(yml);
      Deno.writeTextFileSync(yml, text.replace(/^ {2}path: sparkq\.db$/m, "  path: db-link/q.db"));
      for (const args of [["setup", "--yes"], ["session", "list"]]) {
        const r = await p.run(args);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(
          r.stderr,
          /^Error: the database \(database\.path\) .*db-link\/q\.db is outside the folders SparkQ may write \(it leads to /,
        );
      }
      assert.doesNotMatch(await bash('ls -A "$1"', outside), /q\.db/, "no database outside");
    } finally {
      await bash('rm -rf -- "$1"', outside);
      await p.cleanup();
    }
  });

  Deno.test(`names (${via}): a tool called toString, constructor or __proto__ is unknown, not a crash`, async () => {
    const p = await project(await launcherOf(), ["st1"]);
    try {
      for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
        const r = await assertRefused(
          p,
          ["enqueue", name, "{}", "--stream", "st1"],
          new RegExp(`^Error: unknown tool '${name}'\\n`),
        );
        assert.match(r.stderr, /registered tools: run-bash/);
      }
      const near = await assertRefused(
        p,
        ["enqueue", "run-bsh", "{}", "--stream", "st1"],
        /unknown tool/,
      );
      assert.match(near.stderr, /did you mean 'run-bash'/);
    } finally {
      await p.cleanup();
    }
  });
}

Deno.test("names (API): POST /api/tasks with tool_name toString is a 404 with a code, nothing stored", async () => {
  const s = await startServer();
  try {
    await s.p.ok(["session", "create", "s1"]);
    await s.p.ok(["stream", "create", "st1", "--session", "s1"]);
    for (const name of ["toString", "constructor", "__proto__"]) {
      const r = await api(s, "POST", "/api/tasks", { stream: "st1", tool_name: name, payload: {} });
      assert.equal(r.status, 404, JSON.stringify(r.body));
      assert.equal(r.body.code, "not_found");
      assert.match(r.body.error, new RegExp(`unknown tool '${name}'`));
    }
    const listed = await api(s, "GET", "/api/tasks");
    assert.equal(listed.status, 200);
    assert.equal(JSON.stringify(listed.body).includes("toString"), false);
  } finally {
    await s.stop();
    await s.p.cleanup();
  }
});

Deno.test("setup writes where it runs, never through the launcher's fallback to its own folder", async () => {
  const launcher = await freshLauncher();
  const base = await Deno.makeTempDir({ prefix: "sparkq-setup-home-" });
  const sq = `${base}/repo/sq`; // a SparkQ folder with its own sparkq.yml
  const elsewhere = `${base}/elsewhere`; // no sparkq.yml here or above
  const env = { SPARKQ_TMPDIR: `${base}/tmp` };
  try {
    Deno.mkdirSync(`${sq}/dist`, { recursive: true });
    Deno.mkdirSync(elsewhere);
    Deno.mkdirSync(`${base}/tmp`, { mode: 0o700 });
    Deno.copyFileSync(launcher, `${sq}/sparkq`);
    const dist = launcher.replace(/sparkq$/, "dist");
    for (const e of Deno.readDirSync(dist)) {
      Deno.copyFileSync(`${dist}/${e.name}`, `${sq}/dist/${e.name}`);
    }
    const L = `${sq}/sparkq`;
    const at = (cwd: string, args: string[]) =>
      sparkq(args, { cwd, env, launcher: L }).then((r) => ({
        code: r.code,
        out: r.stdout + r.stderr,
      }));
    {
      let r = await at(sq, ["setup", "--yes", "--name", "home-project"]);
      assert.equal(r.code, 0, r.out);
      const homeYml = Deno.readTextFileSync(`${sq}/sparkq.yml`);
      // Other commands keep the fallback: from a folder without sparkq.yml they use sq's.
      r = await at(elsewhere, ["status", "--json"]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /home-project/);
      // setup from there writes there, and leaves the launcher folder's config alone.
      r = await at(elsewhere, ["setup", "--yes", "--name", "other-project"]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`Wrote ${elsewhere}/sparkq\\.yml`));
      assert.match(Deno.readTextFileSync(`${elsewhere}/sparkq.yml`), /name: other-project/);
      assert.equal(
        Deno.readTextFileSync(`${sq}/sparkq.yml`),
        homeYml,
        "launcher folder's config untouched",
      );
    }
    // The source: SPARKQ_DEFAULT_CONFIG (what the launcher exports) is ignored by setup too.
    const src = await tempProject();
    try {
      const fresh = `${base}/fresh`;
      Deno.mkdirSync(fresh);
      const r = await sparkq(["setup", "--yes", "--name", "fresh"], {
        cwd: fresh,
        env: { ...env, SPARKQ_DEFAULT_CONFIG: `${src.dir}/sparkq.yml` },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(Deno.readTextFileSync(`${fresh}/sparkq.yml`), /name: fresh/);
      assert.match(Deno.readTextFileSync(`${src.dir}/sparkq.yml`), /name: test/);
    } finally {
      await src.cleanup();
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

/** `ln -s target path` (Deno's symlink API needs unscoped read and write). */
async function symlink(target: string, path: string): Promise<void> {
  await bash('ln -s -- "$1" "$2"', target, path);
}
