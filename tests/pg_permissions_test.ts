/**
 * Least privilege with PostgreSQL (SPEC §12.5): --allow-net gains the database URL's
 * host:port and nothing else, without the user touching a flag — in the launcher
 * ./sparkq and in `deno task sparkq` (scripts/db_net.sh, one source for both) — and a
 * process run without it is refused with a message that says what to do.
 *
 * No PostgreSQL server is needed: the database URLs point at 127.0.0.2 (not covered by
 * the loopback flags `127.0.0.1,localhost`), where a tiny TCP listener started by the
 * test closes every connection. A process allowed the host gets past the permission
 * check and fails with "cannot reach"; one without it is refused before connecting.
 */
import assert from "node:assert/strict";
import { DENO, freshLauncher, ROOT, run, type RunResult, spawn } from "./support/process.ts";
import { SPARKQ_FLAGS } from "./support/process.ts";
import { dbNetFlags, TASK_READABLE } from "./support/db_net.ts";
import { dbNetFunctions, launcherScript, sparkqTaskFlags, taskFlags } from "../scripts/build.ts";

/** Unset for SparkQ: the variables that would otherwise leak in from the test runner. */
const CLEAN = { SPARKQ_DATABASE_URL: "", SPARKQ_CONFIG: "", SPARKQ_DEFAULT_CONFIG: "" };
const ENV = { NO_COLOR: "1", RUST_BACKTRACE: "0", ...CLEAN };

/** A TCP listener on 127.0.0.2 (its own process: the tests may not use that host). */
async function listener(): Promise<
  { port: number; url: string; connections(): number; stop(): Promise<void> }
> {
  const dir = await Deno.makeTempDir({ prefix: "sparkq-pgnet-listener-" });
  const file = `${dir}/listen.ts`;
  await Deno.writeTextFile(
    file,
    `const l = Deno.listen({ hostname: "127.0.0.2", port: 0 });
console.log("listening " + (l.addr as Deno.NetAddr).port);
for await (const c of l) { console.log("connection"); c.close(); }
`,
  );
  const p = spawn(DENO, ["run", "--no-config", "--no-prompt", "--allow-net=127.0.0.2", file]);
  await p.waitFor(/listening \d+/);
  const port = Number(p.stdout().match(/listening (\d+)/)![1]);
  return {
    port,
    url: `postgres://sparkq@127.0.0.2:${port}/sparkq`,
    connections: () => p.stdout().split("\n").filter((l) => l === "connection").length,
    async stop() {
      await p.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A project folder under the temp dir with a sparkq.yml (`database.url` when given). */
async function project(url?: string, extra = ""): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sparkq-pgnet-" });
  await Deno.writeTextFile(`${dir}/sparkq.yml`, yml(url) + extra);
  return dir;
}

function yml(url?: string): string {
  return `# written by tests/pg_permissions_test.ts
project:
  name: pgnet
database:
  path: sparkq.db
${url ? `  url: ${url}  # the store\n` : ""}script_dirs: []
`;
}

/** `sparkq <args>` through the launcher, from `cwd`. */
async function viaLauncher(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const launcher = await freshLauncher();
  const path = `${DENO.replace(/\/[^/]*$/, "")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
  return run("sh", [launcher, ...args], { cwd, env: { ...ENV, PATH: path, ...env } });
}

/** `deno task sparkq <args>` from `cwd` (the repository's deno.json, as a user runs it). */
function viaTask(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<RunResult> {
  // INIT_CWD as a shell gives it: unset, so the task sets it to `cwd` (under `deno task
  // test` the runner's own INIT_CWD, the repository, would be inherited and kept).
  return run(DENO, ["task", "-q", "--config", `${ROOT}/deno.json`, "sparkq", ...args], {
    cwd,
    env: { ...ENV, INIT_CWD: cwd, ...env },
  });
}

/** `deno run` of the source with only the task's fixed flags (no database host). */
function plainSource(args: string[], cwd: string): Promise<RunResult> {
  return run(DENO, ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`, ...args], {
    cwd: ROOT,
    env: { ...ENV, INIT_CWD: cwd },
  });
}

/** The deno arguments the launcher would run with: a `deno` on PATH that prints them. */
async function launcherFlags(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string[]> {
  const launcher = await freshLauncher();
  const bin = await Deno.makeTempDir({ prefix: "sparkq-pgnet-bin-" });
  try {
    await Deno.writeTextFile(`${bin}/deno`, `#!/bin/sh\nprintf '%s\\n' "$@"\n`, { mode: 0o755 });
    await Deno.chmod(`${bin}/deno`, 0o755);
    const r = await run("sh", [launcher, ...args], {
      cwd,
      env: { ...ENV, PATH: `${bin}:/usr/bin:/bin`, ...env },
    });
    assert.equal(r.code, 0, r.stderr);
    const words = r.stdout.split("\n");
    const script = words.findIndex((w) => w.endsWith("/dist/sparkq.js"));
    assert.ok(script > 0, r.stdout);
    return words.slice(0, script).filter((w) => w.startsWith("--allow-net"));
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

const LOOPBACK = "--allow-net=127.0.0.1,localhost";
const CANNOT_REACH = (port: number) =>
  new RegExp(`^Error: cannot reach the PostgreSQL server at 127\\.0\\.0\\.2:${port} `, "m");

Deno.test("db_net.sh names the host:port of the URL in effect, as the program finds it", async () => {
  const base = await Deno.makeTempDir({ prefix: "sparkq-pgnet-cases-" });
  const net = (cwd: string, env: Record<string, string> = {}, args: string[] = []) =>
    dbNetFlags(cwd, { ...CLEAN, ...env }, args)[0] ?? "";
  try {
    const top = `${base}/top`, sub = `${top}/a/b`, other = `${base}/other`;
    await Deno.mkdir(sub, { recursive: true });
    await Deno.mkdir(other);
    await Deno.writeTextFile(`${top}/sparkq.yml`, yml("postgres://u:pw@db.example.com:6543/q"));
    await Deno.writeTextFile(`${other}/sparkq.yml`, yml());
    // Found upward from the user's directory; comments and other keys do not count.
    assert.equal(net(sub), "--allow-net=db.example.com:6543");
    // SQLite (no url) and no sparkq.yml at all: nothing.
    assert.equal(net(other), "");
    assert.equal(net("/"), "");
    // SPARKQ_DATABASE_URL overrides; the default port is 5432; IPv6 stays in brackets.
    assert.equal(
      net(other, { SPARKQ_DATABASE_URL: "postgresql://u@10.1.2.3/q" }),
      "--allow-net=10.1.2.3:5432",
    );
    assert.equal(
      net(sub, { SPARKQ_DATABASE_URL: "postgres://u@[::1]:7/q" }),
      "--allow-net=[::1]:7",
    );
    // --config PATH / --config=PATH (relative to the user's directory), then SPARKQ_CONFIG,
    // then SPARKQ_DEFAULT_CONFIG when nothing is found upward.
    assert.equal(net(sub, {}, ["tasks", "--config", `${other}/sparkq.yml`]), "");
    assert.equal(net(other, {}, [`--config=../top/sparkq.yml`, "status"]), net(sub));
    assert.equal(net(other, { SPARKQ_CONFIG: `${top}/sparkq.yml` }), net(sub));
    assert.equal(net(sub, { SPARKQ_CONFIG: `${other}/sparkq.yml` }), "");
    assert.equal(net("/", { SPARKQ_DEFAULT_CONFIG: `${top}/sparkq.yml` }), net(sub));
    assert.equal(net(other, { SPARKQ_DEFAULT_CONFIG: `${top}/sparkq.yml` }), "", "found first");
    // A missing --config file: the program refuses it, no host.
    assert.equal(net(sub, {}, ["--config", `${base}/none.yml`]), "");
    // A URL given to setup --database-url or db copy --to/--from is added; `--` ends flags.
    assert.equal(
      net(other, {}, ["setup", "--yes", "--database-url", "postgres://u@h1:1/q"]),
      "--allow-net=h1:1",
    );
    assert.equal(
      net(sub, {}, ["db", "copy", "--to=postgres://u@h2/q"]),
      "--allow-net=h2:5432,db.example.com:6543",
    );
    assert.equal(net(other, {}, ["enqueue", "--", "--from", "postgres://u@h3/q"]), "");
    // Quoting, CRLF line ends, `database:` after other keys, a comment on the line.
    const cases: [string, string][] = [
      [`database:\r\n  url: 'postgres://u@quoted:9/q'\r\n`, "--allow-net=quoted:9"],
      [
        `server:\n  port: 1\ndatabase: # x\n  mode: wal\n  url: "postgres://u@dq:8/q" # y\n`,
        "--allow-net=dq:8",
      ],
      [`database:\n  path: x.db\nserver:\n  url: postgres://u@notdb:1/q\n`, ""],
      [`database:\n  # url: postgres://u@commented:1/q\n  path: x.db\n`, ""],
    ];
    for (const [text, want] of cases) {
      await Deno.writeTextFile(`${other}/sparkq.yml`, text);
      assert.equal(net(other), want, text);
    }
    // Hosts or ports --allow-net could not take (or that would add more hosts): nothing,
    // and the program says what is wrong with the URL.
    for (
      const bad of [
        "postgres://u@h,evil.example:1/q",
        "postgres://u@h:99999/q",
        "postgres://u@h:12x/q",
        "postgres://u@h%41/q",
        "mysql://u@h:1/q",
        "postgres://u@[::1;x]:1/q",
      ]
    ) {
      assert.equal(net(other, { SPARKQ_DATABASE_URL: bad }), "", bad);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a sparkq.yml SparkQ may not read is skipped, as the program skips it", async () => {
  // The script gets the folders the program may read (the task's `..,/tmp`, relative to
  // the SparkQ folder): a sparkq.yml above the user's directory outside them is not the
  // program's, so its host is not added.
  assert.equal(TASK_READABLE, "..,/tmp");
  const base = await Deno.makeTempDir({ prefix: "sparkq-pgnet-scope-" });
  try {
    await Deno.mkdir(`${base}/sparkq`);
    await Deno.mkdir(`${base}/proj/src`, { recursive: true });
    await Deno.writeTextFile(`${base}/proj/sparkq.yml`, yml("postgres://u@inside:1/q"));
    const net = async (readable: string) => {
      const r = await run("sh", [`${ROOT}/scripts/db_net.sh`, readable], {
        cwd: `${base}/sparkq`,
        env: { ...CLEAN, INIT_CWD: `${base}/proj/src` },
      });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    assert.equal(await net(".."), "--allow-net=inside:1\n", "`..` of the SparkQ folder");
    assert.equal(await net("/tmp"), "--allow-net=inside:1\n");
    assert.equal(await net("."), "", "the SparkQ folder alone");
    assert.equal(await net(`${base}/proj/src,/nonexistent`), "");
    assert.equal(await net(`${base}/proj`), "--allow-net=inside:1\n");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("the task and the launcher share scripts/db_net.sh; the task passes its --allow-read", async () => {
  const task = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).tasks.sparkq as string;
  assert.ok(task.includes(`${LOOPBACK} $(sh scripts/db_net.sh ..,/tmp) `), task);
  assert.deepEqual(await taskFlags(), SPARKQ_FLAGS);
  assert.ok(!SPARKQ_FLAGS.some((f) => f.includes("db_net") || f.includes("$(")));
  // The build refuses a task without the call, or one that looks elsewhere for sparkq.yml.
  assert.throws(() => sparkqTaskFlags(task.replace(" $(sh scripts/db_net.sh ..,/tmp)", "")), {
    message: /must add the database host/,
  });
  assert.throws(() => sparkqTaskFlags(task.replace("db_net.sh ..,/tmp", "db_net.sh /")), {
    message: /db_net\.sh \.\.,\/tmp/,
  });
  // The launcher carries the script's functions verbatim and calls them with its own
  // readable folders and the command's arguments, then adds the result after --allow-net.
  const functions = dbNetFunctions();
  assert.match(functions, /^sparkq_db_net\(\) \{$/m);
  const script = launcherScript(SPARKQ_FLAGS);
  assert.ok(script.includes(functions.trim()));
  assert.match(script, /^sparkq_db_net "\$cwd" "\$parent,\/tmp" "\$@"$/m);
  assert.match(script, /"--allow-net=127\.0\.0\.1,localhost" \$\{sparkq_net:\+"\$sparkq_net"\} /);
  // Built-ins only: no command substitution (a subshell) in the functions.
  assert.doesNotMatch(functions, /\$\(|`/);
});

Deno.test("deno adds a second --allow-net to the first (the loopback stays allowed)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sparkq-pgnet-merge-" });
  try {
    const file = `${dir}/q.ts`;
    await Deno.writeTextFile(
      file,
      `for (const host of ["127.0.0.1:8420", "localhost:8420", "127.0.0.2:6000", "127.0.0.2:6001"]) {
  console.log(host, Deno.permissions.querySync({ name: "net", host }).state);
}
`,
    );
    const r = await run(DENO, [
      "run",
      "--no-config",
      "--no-prompt",
      LOOPBACK,
      "--allow-net=127.0.0.2:6000",
      file,
    ]);
    assert.equal(
      r.stdout,
      "127.0.0.1:8420 granted\nlocalhost:8420 granted\n127.0.0.2:6000 granted\n" +
        "127.0.0.2:6001 prompt\n",
      r.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("launcher: --allow-net gains exactly the database host:port, and only with a URL", async () => {
  const pg = await project("postgres://u@127.0.0.2:6000/q");
  const sqlite = await project();
  try {
    // SQLite: the loopback flag alone (SQLite users pay nothing but a short file read).
    assert.deepEqual(await launcherFlags(["session", "list"], sqlite), [LOOPBACK]);
    // database.url: exactly its host:port, after the loopback.
    assert.deepEqual(await launcherFlags(["session", "list"], pg), [
      LOOPBACK,
      "--allow-net=127.0.0.2:6000",
    ]);
    // Found from a subfolder, and from anywhere through --config.
    await Deno.mkdir(`${pg}/deep/er`, { recursive: true });
    assert.deepEqual(await launcherFlags(["status"], `${pg}/deep/er`), [
      LOOPBACK,
      "--allow-net=127.0.0.2:6000",
    ]);
    assert.deepEqual(await launcherFlags(["status", "--config", `${pg}/sparkq.yml`], sqlite), [
      LOOPBACK,
      "--allow-net=127.0.0.2:6000",
    ]);
    // SPARKQ_DATABASE_URL overrides the file.
    assert.deepEqual(
      await launcherFlags(["status"], pg, { SPARKQ_DATABASE_URL: "postgres://u@db.internal/q" }),
      [LOOPBACK, "--allow-net=db.internal:5432"],
    );
    // setup --database-url: the host it is about to create the tables on.
    assert.deepEqual(
      await launcherFlags(
        ["setup", "--yes", "--database-url=postgres://u@10.9.8.7:5433/q"],
        sqlite,
      ),
      [LOOPBACK, "--allow-net=10.9.8.7:5433"],
    );
  } finally {
    await Deno.remove(pg, { recursive: true });
    await Deno.remove(sqlite, { recursive: true });
  }
});

Deno.test("launcher and task: the database host is reached; without it, a clear refusal", async () => {
  const db = await listener();
  const pg = await project(db.url);
  try {
    // Allowed: past the permission check, the connection reaches 127.0.0.2:<port>.
    for (const [how, go] of [["launcher", viaLauncher], ["task", viaTask]] as const) {
      const before = db.connections();
      const out = await go(["session", "list"], pg);
      assert.equal(out.code, 1, `${how}: ${out.stderr}`);
      assert.match(out.stderr, CANNOT_REACH(db.port), how);
      assert.doesNotMatch(out.stderr, /not allowed/, how);
      assert.ok(db.connections() > before, `${how}: the listener saw no connection`);
    }
    // Run by hand with the fixed flags only: refused before connecting, with what to do.
    const before = db.connections();
    const r = await plainSource(["session", "list"], pg);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.split("\n")[0],
      `Error: SparkQ is not allowed to connect to 127.0.0.2:${db.port} (the database URL's host and port)`,
    );
    assert.match(r.stderr, /\.\/sparkq and 'deno task sparkq' allow the host:port/);
    assert.match(r.stderr, /set SPARKQ_CONFIG or SPARKQ_DATABASE_URL instead/);
    assert.ok(r.stderr.includes(`add --allow-net=127.0.0.2:${db.port} `), r.stderr);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    assert.equal(db.connections(), before, "no connection was attempted");
  } finally {
    await db.stop();
    await Deno.remove(pg, { recursive: true });
  }
});

Deno.test("launcher and task: SPARKQ_DATABASE_URL overrides database.url, host and port", async () => {
  const inFile = await listener();
  const inEnv = await listener();
  const pg = await project(inFile.url);
  try {
    for (const [how, go] of [["launcher", viaLauncher], ["task", viaTask]] as const) {
      const seen = [inFile.connections(), inEnv.connections()];
      const r = await go(["session", "list"], pg, { SPARKQ_DATABASE_URL: inEnv.url });
      assert.match(r.stderr, CANNOT_REACH(inEnv.port), how);
      assert.ok(inEnv.connections() > seen[1], `${how}: the URL from the environment was used`);
      assert.equal(inFile.connections(), seen[0], `${how}: the file's URL was not`);
    }
  } finally {
    await inFile.stop();
    await inEnv.stop();
    await Deno.remove(pg, { recursive: true });
  }
});

Deno.test("task: --config is invisible to a task, so only the found file's host is allowed", async () => {
  // `deno task` cannot pass its arguments to the $(…) in the task: a --config naming
  // another database is refused (the hint says to use SPARKQ_CONFIG), never widened.
  const found = await listener();
  const named = await listener();
  const here = await project(found.url);
  const elsewhere = await project(named.url);
  try {
    const args = ["session", "list", "--config", `${elsewhere}/sparkq.yml`];
    const task = await viaTask(args, here);
    assert.match(
      task.stderr,
      new RegExp(`not allowed to connect to 127\\.0\\.0\\.2:${named.port} `),
    );
    assert.match(task.stderr, /set SPARKQ_CONFIG or SPARKQ_DATABASE_URL instead/);
    assert.equal(named.connections(), 0);
    // SPARKQ_CONFIG works with the task; the launcher sees --config itself.
    const env = await viaTask(["session", "list"], here, {
      SPARKQ_CONFIG: `${elsewhere}/sparkq.yml`,
    });
    assert.match(env.stderr, CANNOT_REACH(named.port));
    const launcher = await viaLauncher(args, here);
    assert.match(launcher.stderr, CANNOT_REACH(named.port));
    assert.equal(found.connections(), 0, "the found file's database was never used");
  } finally {
    await found.stop();
    await named.stop();
    await Deno.remove(here, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("launcher and task: a SQLite project runs as before (no database host)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sparkq-pgnet-sqlite-" });
  try {
    const setup = await viaLauncher(["setup", "--yes", "--name", "lite"], dir);
    assert.equal(setup.code, 0, setup.stderr);
    assert.deepEqual(dbNetFlags(dir, CLEAN), []);
    assert.deepEqual(await launcherFlags(["session", "list"], dir), [LOOPBACK]);
    for (const [how, go] of [["launcher", viaLauncher], ["task", viaTask]] as const) {
      const r = await go(["session", "create", `via-${how}`], dir);
      assert.equal(r.code, 0, `${how}: ${r.stderr}`);
    }
    const list = await viaTask(["session", "list", "--json"], dir);
    assert.deepEqual(
      JSON.parse(list.stdout).map((s: { name: string }) => s.name).sort(),
      ["via-launcher", "via-task"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
