/**
 * A database SparkQ cannot use is reported with a clear `Error:` and exit 1, never a
 * stack trace: a second writer holding the write lock past the CLI's deadline, a
 * file that is not SQLite, a damaged SQLite file, a schema from a newer SparkQ.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { assertRefused, DENO, tempProject } from "./helpers.ts";
import { spawn } from "./support/process.ts";

/** A process that takes the write lock (BEGIN IMMEDIATE) and holds it for `seconds`. */
async function lockHolder(db: string, seconds: number) {
  const holder = spawn(DENO, [
    "eval",
    "--no-config",
    `import { DatabaseSync } from "node:sqlite";
     const db = new DatabaseSync(Deno.args[0]);
     db.exec("BEGIN IMMEDIATE");
     console.log("locked");
     await new Promise((r) => setTimeout(r, Number(Deno.args[1]) * 1000));
     db.exec("ROLLBACK");`,
    db,
    String(seconds),
  ], { env: { RUST_BACKTRACE: "0" } });
  await holder.waitFor("locked").catch((e) => {
    throw new Error(`the lock holder exited early: ${e.message}`);
  });
  return { stop: () => holder.stop("SIGKILL") };
}

Deno.test("a second writer holding the lock past the deadline: clear error, nothing changed", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    const holder = await lockHolder(p.db, 30);
    try {
      const start = Date.now();
      const r = await assertRefused(
        p,
        ["session", "create", "s2"],
        /^Error: the database .*sparkq\.db is locked by another process \(gave up after 8 s\)\n/,
      );
      assert.match(r.stderr, /another SparkQ command or tool holds a write lock; try again/);
      assert.ok(Date.now() - start >= 8000, "it kept retrying until its deadline");
      // Reads are not blocked by a writer (WAL).
      assert.match(await p.ok(["session", "list"]), /^NAME .*\ns1 /s);
    } finally {
      await holder.stop();
    }
    // The holder's transaction never committed; the lock is gone with it.
    await p.ok(["session", "create", "s2"]);
    assert.deepEqual(
      JSON.parse(await p.ok(["session", "list", "--json"])).map((s: { name: string }) => s.name),
      ["s1", "s2"],
    );
  } finally {
    await p.cleanup();
  }
});

/** Runs a command that must fail with exit 1, `Error: …` matching `pattern`, no stack. */
async function refused(
  p: Awaited<ReturnType<typeof tempProject>>,
  args: string[],
  pattern: RegExp,
) {
  const r = await p.run(args);
  const where = `sparkq ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, 1, where);
  assert.match(r.stderr, pattern, where);
  assert.doesNotMatch(r.stderr, /\n\s+at |Stack backtrace|unexpected failure/, where);
  return r;
}

Deno.test("a sparkq.db that is not SQLite is reported clearly and left as it is", async () => {
  const p = await tempProject();
  try {
    for (const f of [p.db, `${p.db}-wal`, `${p.db}-shm`]) await Deno.remove(f).catch(() => {});
    const junk = "this is not a database, just some text that happens to be here\n".repeat(40);
    await Deno.writeTextFile(p.db, junk);
    for (const args of [["session", "list"], ["session", "create", "x"], ["tasks"]]) {
      await refused(
        p,
        args,
        /^Error: the database .*sparkq\.db is damaged or not a SparkQ database \(file is not a database\)\nkeep a copy of the file, move it away/,
      );
    }
    assert.equal(await Deno.readTextFile(p.db), junk, "the file was not touched");
  } finally {
    await p.cleanup();
  }
});

Deno.test("a damaged SQLite file is reported clearly", async () => {
  const p = await tempProject();
  try {
    await p.ok(["session", "create", "s1"]);
    // Fold the WAL into the main file, then overwrite the pages after the header.
    const db = new DatabaseSync(p.db);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
    const bytes = await Deno.readFile(p.db);
    assert.ok(bytes.length >= 4096 * 2, "the database has several pages");
    const damaged = bytes.slice();
    damaged.fill(0xa5, 100, bytes.length);
    await Deno.writeFile(p.db, damaged);
    await refused(
      p,
      ["session", "list"],
      /^Error: the database .*sparkq\.db is damaged or not a SparkQ database \((database disk image is malformed|file is not a database)\)/,
    );
  } finally {
    await p.cleanup();
  }
});

Deno.test("a database from a newer SparkQ (higher user_version) is refused", async () => {
  const p = await tempProject();
  try {
    const db = new DatabaseSync(p.db);
    db.exec("PRAGMA user_version=99");
    db.close();
    await refused(p, ["session", "list"], /^Error: .*sparkq\.db has schema version 99, newer than/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("a database path that is a directory is reported clearly", async () => {
  const p = await tempProject();
  try {
    for (const f of [p.db, `${p.db}-wal`, `${p.db}-shm`]) await Deno.remove(f).catch(() => {});
    await Deno.mkdir(p.db);
    await refused(p, ["session", "list"], /^Error: no database at .*sparkq\.db\n/);
  } finally {
    await p.cleanup();
  }
});
