/**
 * setup.sh and teardown.sh on a copy of the SparkQ folder inside a "user repository":
 * setup uses a Deno found on PATH or in .tools/ (npm is not called when one is
 * there), builds the bundle and the launcher, says what to run next, and is
 * idempotent; teardown stops the watchers, deletes what SparkQ created — only this
 * project's temp files — keeps sparkq.yml unless --all, and refuses without --yes
 * when there is no terminal.
 */
import assert from "node:assert/strict";
import { DENO, ROOT } from "./helpers.ts";
import { shell, spawn, type Spawned } from "./support/process.ts";

const FILES = [
  "deno.json",
  "deno.lock",
  "main.ts",
  "src",
  "scripts",
  "WORKER_PLAYBOOK.md",
  "setup.sh",
  "teardown.sh",
];
const DENO_DIR = DENO.replace(/\/[^/]*$/, "");

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isFile) return Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) await copy(`${from}/${e.name}`, `${to}/${e.name}`);
}

const exists = (p: string) => {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs `sh <script> args` in `cwd` with exactly `path` as PATH (set inside an outer
 * sh, since the test may spawn only programs it finds on its own PATH).
 */
async function sh(
  cwd: string,
  script: string,
  args: string[],
  path: string,
  env: Record<string, string> = {},
) {
  return await shell('PATH=$1; export PATH; shift; exec /bin/sh "$@"', [path, script, ...args], {
    cwd,
    clearEnv: true,
    env: { HOME: Deno.env.get("HOME") ?? "/root", NO_COLOR: "1", ...env },
  });
}

/** `ln -s` (Deno.symlink needs unscoped read and write). */
async function symlink(target: string, link: string): Promise<void> {
  const out = await shell('ln -s "$1" "$2"', [target, link]);
  assert.equal(out.code, 0, out.stderr);
}

/** A copy of the SparkQ folder at <tmp>/myrepo/sparkq. */
async function sparkqCopy(): Promise<{ base: string; repo: string; sq: string }> {
  const base = await Deno.makeTempDir({ prefix: "sparkq-setup-sh-" });
  const repo = `${base}/myrepo`;
  const sq = `${repo}/sparkq`;
  await Deno.mkdir(sq, { recursive: true });
  for (const f of FILES) await copy(`${ROOT}/${f}`, `${sq}/${f}`);
  return { base, repo, sq };
}

/** PATH with the system tools but no deno (the machine's deno may sit in /usr/local/bin). */
const NO_DENO_PATH = "/usr/bin:/bin";
const denoOnSystemPath = exists("/usr/bin/deno") || exists("/bin/deno");

Deno.test({
  name: "setup.sh: Deno from .tools/ or PATH, bundle and launcher built, idempotent",
  ignore: denoOnSystemPath,
  fn: async () => {
    const { base, repo, sq } = await sparkqCopy();
    try {
      // 1. No deno on PATH, one in .tools/ (as a previous run's npm install left it).
      await Deno.mkdir(`${sq}/.tools/node_modules/.bin`, { recursive: true });
      await symlink(DENO, `${sq}/.tools/node_modules/.bin/deno`);
      const first = await sh(sq, "./setup.sh", [], NO_DENO_PATH);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /^Using deno 2\.\d+\.\d+ .* from \.tools\/$/m);
      assert.doesNotMatch(first.stdout, /Installing Deno/);
      assert.match(first.stdout, /Built dist\/sparkq\.js/);
      assert.match(first.stdout, /Next:\n {2}\.\/sparkq setup /);
      assert.ok(exists(`${sq}/dist/sparkq.js`) && exists(`${sq}/sparkq`));

      // The launcher finds that deno too (still not on PATH), from the repository root.
      const v = await sh(repo, `${sq}/sparkq`, ["--version"], NO_DENO_PATH);
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stdout, /^sparkq \d+\.\d+\.\d+\n$/);

      // 2. Again, with deno on PATH: same result, nothing else changes.
      const launcher = await Deno.readTextFile(`${sq}/sparkq`);
      const second = await sh(sq, "./setup.sh", [], `${DENO_DIR}:${NO_DENO_PATH}`);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(
        second.stdout,
        new RegExp(`^Using deno 2\\.\\S+ .* from ${DENO_DIR}/deno$`, "m"),
      );
      assert.equal(await Deno.readTextFile(`${sq}/sparkq`), launcher);
      assert.ok(!exists(`${sq}/sparkq.yml`), "setup.sh does not configure a project");
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test("setup.sh without deno and without npm says what to install", async () => {
  const { base, sq } = await sparkqCopy();
  try {
    // A PATH with the few tools the script needs, but neither deno nor npm.
    const bin = `${base}/bin`;
    await Deno.mkdir(bin);
    const ln = await shell(
      'for t in dirname sed head; do ln -s "$(command -v "$t")" "$1/$t"; done',
      [
        bin,
      ],
    );
    assert.equal(ln.code, 0, ln.stderr);
    const r = await sh(sq, "./setup.sh", [], bin);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /^Error: Deno 2 is not installed and npm is not available to install it/,
    );
    assert.ok(!exists(`${sq}/dist`) && !exists(`${sq}/.tools`));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("teardown.sh stops the watchers and removes only what this project created", async () => {
  const { base, repo, sq } = await sparkqCopy();
  const tmp = `${base}/tmp`;
  const path = `${DENO_DIR}:${NO_DENO_PATH}`;
  const env = { SPARKQ_TMPDIR: tmp };
  let watcher: Spawned | undefined;
  try {
    await Deno.mkdir(tmp);
    const setup = await sh(sq, "./setup.sh", [], path);
    assert.equal(setup.code, 0, setup.stdout + setup.stderr);
    const launcher = `${sq}/sparkq`;
    // `sparkq setup` in the SparkQ folder (as the README says), the rest from the repo root.
    for (
      const [cwd, args] of [
        [sq, ["setup", "--yes", "--name", "td", "--repo-path", ".."]],
        [repo, ["session", "create", "s1"]],
        [repo, ["stream", "create", "td-stream", "--session", "s1"]],
      ] as const
    ) {
      const r = await sh(cwd, launcher, [...args], path, env);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.ok(exists(`${sq}/sparkq.yml`) && !exists(`${repo}/sparkq.yml`));
    // A watcher of this project, and another project's files in the same temp dir.
    watcher = spawn("sh", [launcher, "watch", "td-stream"], {
      cwd: repo,
      env: { PATH: path, ...env },
    });
    for (let i = 0; i < 200; i++) {
      if (exists(`${tmp}/sparkq-td-stream.lock`) && exists(`${tmp}/sparkq-td-stream-pipe`)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(exists(`${tmp}/sparkq-td-stream.lock`), "the watcher took its lock");
    await Deno.writeTextFile(`${tmp}/sparkq-other.lock`, "1\n");
    await Deno.writeTextFile(`${tmp}/sparkq-other-done`, "");

    // Without a terminal and without --yes: refused, nothing deleted.
    const refused = await sh(sq, "./teardown.sh", [], path, env);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout + refused.stderr, /pass --yes/);
    assert.ok(exists(`${sq}/sparkq.db`) && exists(`${sq}/dist`));

    const td = await sh(sq, "./teardown.sh", ["--yes"], path, env);
    assert.equal(td.code, 0, td.stdout + td.stderr);
    assert.match(td.stdout, /Stopped the watcher of stream 'td-stream'/);
    assert.match(td.stdout, /this folder can now be deleted\.\n$/);
    const w = await watcher.done();
    watcher = undefined;
    assert.equal(w.code, 0, "the watcher exited cleanly");
    for (
      const gone of [
        "sparkq.db",
        "sparkq.db-wal",
        "sparkq.db-shm",
        ".sparkq.yml.cache.json",
        "sparkq.lock",
        "dist",
        "sparkq",
        ".tools",
      ]
    ) assert.ok(!exists(`${sq}/${gone}`), `${gone} was not removed`);
    for (const f of ["sparkq-td-stream.lock", "sparkq-td-stream-pipe", "sparkq-td-stream-done"]) {
      assert.ok(!exists(`${tmp}/${f}`), `${f} was not removed`);
    }
    assert.ok(exists(`${tmp}/sparkq-other.lock`) && exists(`${tmp}/sparkq-other-done`));
    assert.ok(exists(`${sq}/sparkq.yml`), "sparkq.yml is kept without --all");
    assert.match(td.stdout, /Kept .*sparkq\.yml/);

    const all = await sh(sq, "./teardown.sh", ["--yes", "--all"], path, env);
    assert.equal(all.code, 0, all.stderr);
    assert.ok(!exists(`${sq}/sparkq.yml`));
    assert.ok(exists(`${tmp}/sparkq-other.lock`));
  } finally {
    await watcher?.stop("SIGKILL");
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("sparkq.yml.example is a valid configuration with the documented defaults", async () => {
  const { parseConfig } = await import("../src/config/yaml.ts");
  const { DEFAULT_CLASS_TIMEOUTS, DEFAULT_PORT, DEFAULT_TOOLS } = await import(
    "../src/core/constants.ts"
  );
  const path = `${ROOT}/sparkq.yml.example`;
  const config = parseConfig(path, await Deno.readTextFile(path));
  assert.equal(config.server.port, DEFAULT_PORT);
  assert.equal(config.database.path, "sparkq.db");
  assert.equal(config.project.repo_path, "..");
  for (const [cls, seconds] of Object.entries(DEFAULT_CLASS_TIMEOUTS)) {
    assert.equal(config.task_classes[cls as keyof typeof DEFAULT_CLASS_TIMEOUTS].timeout, seconds);
  }
  for (const [name, tool] of Object.entries(DEFAULT_TOOLS)) {
    assert.deepEqual(
      { description: config.tools[name]?.description, task_class: config.tools[name]?.task_class },
      tool,
    );
  }
  assert.equal(config.tools["llm-review"].timeout, 1800);
});
