/**
 * The PostgreSQL store's refusals (issue 14): a server that cannot be reached, a user the
 * server refuses, a database that does not exist, a database of another application, a
 * schema newer than this SparkQ, an empty database outside `setup`, a database not
 * encoded UTF8. Each is one `Error: …` line with a hint, exit 1, never a stack trace, and
 * changes nothing — through the source and through a freshly built launcher, with the
 * URL from sparkq.yml and from SPARKQ_DATABASE_URL.
 *
 * Needs SPARKQ_TEST_PG (see tests/support/backend.ts); ignored without it.
 */
import assert from "node:assert/strict";
import { freshLauncher, type RunResult, sparkq } from "./support/process.ts";
import { freePort, tempProject } from "./helpers.ts";
import { freshDatabase, PG_ADMIN_URL, pgExec, pgQuery, pgStore } from "./support/backend.ts";

const ignore = !PG_ADMIN_URL;

/** The URL of `database` on the test server as `user`. */
function urlFor(database: string, user = "postgres", port?: number): string {
  const u = new URL(PG_ADMIN_URL!);
  u.username = user;
  u.pathname = `/${database}`;
  if (port !== undefined) u.port = String(port);
  return u.href;
}

/** Asserts a clean refusal: exit 1, `Error: <pattern>` first, a hint, no stack trace. */
function assertRefusal(r: RunResult, pattern: RegExp, how: string): void {
  assert.equal(r.code, 1, `${how}: exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, "", `${how}: nothing on stdout`);
  const [first, ...rest] = r.stderr.trimEnd().split("\n");
  assert.match(first, /^Error: /, `${how}: ${r.stderr}`);
  assert.match(first, pattern, how);
  assert.ok(rest.length >= 1, `${how}: a hint follows (${r.stderr})`);
  assert.doesNotMatch(r.stderr, /^\s+at |unexpected failure|Stack backtrace/m, `${how}: no trace`);
}

/** A SQLite project whose commands run with `SPARKQ_DATABASE_URL` = `url`, both ways. */
async function refusedEverywhere(url: string, pattern: RegExp): Promise<void> {
  const p = await tempProject();
  try {
    const launcher = await freshLauncher();
    for (const [how, via] of [["source", undefined], ["launcher", launcher]] as const) {
      const r = await sparkq(["session", "list"], {
        cwd: p.dir,
        launcher: via,
        env: { SPARKQ_DATABASE_URL: url, SPARKQ_TMPDIR: `${p.dir}/tmp` },
      });
      assertRefusal(r, pattern, `${how}, ${url.replace(/\/\/[^@]*@/, "//…@")}`);
    }
  } finally {
    await p.cleanup();
  }
}

Deno.test({
  name: "PostgreSQL refusals: unreachable server, refused user, missing database",
  ignore,
  fn: async () => {
    const port = freePort();
    await refusedEverywhere(
      urlFor("postgres", "postgres", port),
      new RegExp(`cannot reach the PostgreSQL server at 127\\.0\\.0\\.1:${port}`),
    );
    const role = `sparkq_nologin_${crypto.randomUUID().slice(0, 8)}`;
    pgStore(PG_ADMIN_URL!).exec(`CREATE ROLE ${role} NOLOGIN`);
    try {
      await refusedEverywhere(urlFor("postgres", role), new RegExp(`refused user "${role}"`));
    } finally {
      pgStore(PG_ADMIN_URL!).exec(`DROP ROLE ${role}`);
    }
    await refusedEverywhere(
      urlFor("sparkq_no_such_database"),
      /there is no database "sparkq_no_such_database"/,
    );
  },
});

Deno.test({
  name: "PostgreSQL refusals: another application's database, an empty one, a newer schema",
  ignore,
  fn: async () => {
    const foreign = freshDatabase();
    const empty = freshDatabase();
    try {
      pgExec(foreign.url, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
      await refusedEverywhere(
        foreign.url,
        /holds 1 table\(s\) of another application \(no sparkq_meta table\)/,
      );
      assert.deepEqual(
        pgQuery(foreign.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
          .map((r) => r.tablename),
        ["invoices"],
        "nothing was created beside the other application's table",
      );
      await refusedEverywhere(empty.url, /has no SparkQ tables yet/);
      assert.equal(
        pgQuery(empty.url, "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = 'public'")[0]
          .n,
        0,
        "a refused command created no table",
      );
    } finally {
      foreign.drop();
      empty.drop();
    }

    const p = await tempProject();
    const db = freshDatabase();
    try {
      await p.ok(["setup", "--yes", "--database-url", db.url]);
      await p.ok(["session", "create", "kept"]);
      pgExec(db.url, "UPDATE sparkq_meta SET value = '99' WHERE key = 'schema_version'");
      for (const via of [undefined, await freshLauncher()]) {
        const r = await p.run(["session", "list"], { launcher: via });
        assertRefusal(
          r,
          /has schema version 99, newer than this SparkQ understands \(1\)/,
          via ? "launcher" : "source",
        );
      }
      pgExec(db.url, "UPDATE sparkq_meta SET value = 'ledger' WHERE key = 'application'");
      const r = await p.run(["session", "list"]);
      assertRefusal(r, /belongs to another application \("ledger"\)/, "source");
      assert.deepEqual(
        pgQuery(db.url, "SELECT key, value FROM sparkq_meta ORDER BY key"),
        [{ key: "application", value: "ledger" }, { key: "schema_version", value: "99" }],
        "a refused command did not migrate or rewrite the meta table",
      );
      assert.deepEqual(pgQuery(db.url, "SELECT name FROM sessions"), [{ name: "kept" }]);
    } finally {
      await p.cleanup();
      db.drop();
    }
  },
});

Deno.test({
  name: "PostgreSQL refusals: a database not encoded UTF8",
  ignore,
  fn: async () => {
    const name = `sparkq_t_latin1_${crypto.randomUUID().slice(0, 8)}`;
    pgStore(PG_ADMIN_URL!).exec(
      `CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    try {
      await refusedEverywhere(urlFor(name), /is encoded LATIN1: SparkQ needs UTF8/);
    } finally {
      pgStore(PG_ADMIN_URL!).exec(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  },
});

Deno.test("a bad database URL is refused where it is given, and nothing changes", async () => {
  const p = await tempProject();
  try {
    const config = await Deno.readTextFile(`${p.dir}/sparkq.yml`);
    const launcher = await freshLauncher();
    for (const [how, via] of [["source", undefined], ["launcher", launcher]] as const) {
      for (
        const [url, pattern] of [
          [
            "mysql://me@db/sparkq",
            /--database-url must start with postgres:\/\/ \(got mysql:\/\/\)/,
          ],
          ["postgres://me@db.lan", /--database-url names no database/],
          ["postgres://db.lan/sparkq", /--database-url names no user/],
          ["not a url", /--database-url is not a URL/],
        ] as const
      ) {
        const r = await p.run(["setup", "--yes", "--database-url", url], { launcher: via });
        assert.equal(r.code, 2, `${how} ${url}: a usage error (${r.stderr})`);
        assert.match(r.stderr, pattern, `${how} ${url}`);
        assert.doesNotMatch(r.stderr, /^\s+at |unexpected failure/m, `${how}: no trace`);
      }
      const env = await p.run(["session", "list"], {
        launcher: via,
        env: { SPARKQ_DATABASE_URL: "http://db.lan/sparkq" },
      });
      assertRefusal(
        env,
        /SPARKQ_DATABASE_URL must start with postgres:\/\/ \(got http:\/\/\)/,
        how,
      );
    }
    assert.equal(await Deno.readTextFile(`${p.dir}/sparkq.yml`), config, "sparkq.yml unchanged");
    await Deno.writeTextFile(
      `${p.dir}/sparkq.yml`,
      config.replace(/database:\n/, "database:\n  url: sqlite://here\n"),
    );
    const r = await p.run(["session", "list"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /database\.url.*must start with postgres:\/\//s);
  } finally {
    await p.cleanup();
  }
});
