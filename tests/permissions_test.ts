/**
 * Least privilege (SPEC §11): every task in deno.json has scoped permission flags,
 * and SparkQ run with the `sparkq` task's flags cannot read or write outside the
 * SparkQ folder's parent / the SparkQ folder and the temp dir — and says so with a
 * clear `Error:`, never a stack trace, writing nothing.
 */
import assert from "node:assert/strict";
import { assertRefused, bash, outsideDir, ROOT, SPARKQ_FLAGS, tempProject } from "./helpers.ts";
import { absoluteFlags, launcherScript, taskFlags } from "../scripts/build.ts";

const TASKS: Record<string, string> = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks;

/** Splits a task line into words like a shell: quotes and `$( … )` stay in one word. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote = "";
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = "";
      else cur += ch;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "$" && line[i + 1] === "(") {
      depth++;
      cur += "$(";
      i++;
    } else if (ch === ")" && depth > 0) {
      depth--;
      cur += ch;
    } else if (/\s/.test(ch) && depth === 0) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** The permission flags of a task (only `deno` commands; flags before the script). */
function permissionFlags(task: string): string[] {
  return words(task).filter((w) => /^(-A$|--allow-|--deny-|--ignore-)/.test(w));
}

Deno.test("every deno.json task has scoped permissions: no -A, no bare read/write/net/run", () => {
  assert.ok(Object.keys(TASKS).length >= 5, "deno.json has its tasks");
  for (const [name, task] of Object.entries(TASKS)) {
    for (const flag of permissionFlags(task)) {
      const where = `task '${name}': ${flag}`;
      assert.ok(flag !== "-A" && !flag.startsWith("--allow-all"), `${where} grants everything`);
      assert.ok(!flag.startsWith("--allow-ffi"), `${where}: FFI voids every other permission`);
      const [key, value] = flag.split(/=(.*)/s);
      if (/^--allow-(read|write|net|run|sys|import)$/.test(key)) {
        assert.ok(value, `${where} is unscoped`);
      }
      // Only the test runner gets every variable: Playwright reads many.
      if (key === "--allow-env" && name !== "test") assert.ok(value, `${where} is unscoped`);
    }
  }
});

Deno.test("the sparkq task: write = its folder and /tmp, read = the parent, net = loopback", () => {
  const value = (name: string) =>
    SPARKQ_FLAGS.find((f) => f.startsWith(`--allow-${name}=`))?.split("=")[1].split(",").sort();
  assert.deepEqual(value("write"), [".", "/tmp"]);
  assert.deepEqual(value("read"), ["..", "/tmp"]);
  assert.deepEqual(value("net"), ["127.0.0.1", "localhost"]);
  assert.ok(SPARKQ_FLAGS.includes("--ignore-env") && SPARKQ_FLAGS.includes("--no-prompt"));
  for (const env of value("env")!) assert.match(env, /^(SPARKQ_[A-Z_]+|NO_COLOR|INIT_CWD)$/);
  for (const prog of value("run")!) assert.match(prog, /^[a-z]+$/, "run: plain program names");
});

Deno.test("the launcher runs with exactly the sparkq task's flags, paths made absolute", async () => {
  const flags = await taskFlags();
  assert.deepEqual(flags, SPARKQ_FLAGS);
  const script = launcherScript(flags);
  const exec = script.split("\n").find((l) => l.startsWith("exec "))!;
  for (const f of absoluteFlags(flags, "$dir", "$parent")) {
    assert.ok(exec.includes(`"${f}"`), `launcher lacks ${f}: ${exec}`);
  }
  assert.ok(
    exec.includes('"--allow-write=$dir,/tmp"') && exec.includes('"--allow-read=$parent,/tmp"'),
  );
  assert.match(exec, /--no-config --no-lock .* "\$dir\/dist\/sparkq\.js" "\$@"$/);
});

const listing = (dir: string) => bash('ls -A "$1"', dir);

Deno.test("a database.path outside the allowed paths is refused, and nothing is written there", async () => {
  const p = await tempProject();
  const outside = await outsideDir();
  try {
    await p.ok(["session", "create", "s1"]);
    const yml = `${p.dir}/sparkq.yml`;
    const text = await Deno.readTextFile(yml);
    assert.match(text, /^ {2}path: sparkq\.db$/m);
    await Deno.writeTextFile(
      yml,
      text.replace(/^ {2}path: sparkq\.db$/m, `  path: ${outside}/sparkq.db`),
    );

    for (const args of [["session", "list"], ["session", "create", "s2"], ["status"]]) {
      await assertRefused(
        p,
        args,
        new RegExp(
          `^Error: SparkQ is not allowed to open ${outside}/sparkq\\.db: Requires read access`,
        ),
      );
    }
    // setup creates the database: the write outside is refused, and setup writes nothing.
    const before = await Deno.readTextFile(yml);
    const r = await p.run(["setup", "--yes"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Error: SparkQ is not allowed to open .*sparkq\.db/);
    assert.match(r.stderr, /database\.path must lie inside the SparkQ folder or the temp dir/);
    assert.doesNotMatch(r.stderr, /\n\s+at |Stack backtrace|run again with/);
    assert.equal(await Deno.readTextFile(yml), before, "sparkq.yml untouched");
    assert.equal(await listing(outside), "", "nothing was written outside");
  } finally {
    await p.cleanup();
    await bash('rm -rf -- "$1"', outside);
  }
});

// The SparkQ folder's parent is the user's repository: readable, not writable — unless
// this checkout itself lies in the temp dir, where everything is writable.
const PARENT = ROOT.replace(/\/[^/]*$/, "") || "/";
const parentInTmp = PARENT === "/tmp" || PARENT.startsWith("/tmp/");

Deno.test({
  name: "a database.path SparkQ may read but not write (the repository) is refused",
  ignore: parentInTmp,
}, async () => {
  const p = await tempProject();
  const parent = PARENT;
  const readable = (await bash('mktemp -d "$1/sparkq-perm-test-XXXXXX"', parent)).trim();
  try {
    const yml = `${p.dir}/sparkq.yml`;
    const text = await Deno.readTextFile(yml);
    await Deno.writeTextFile(
      yml,
      text.replace(/^ {2}path: sparkq\.db$/m, `  path: ${readable}/q.db`),
    );
    const before = await Deno.readTextFile(yml);
    const r = await p.run(["setup", "--yes"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^Error: SparkQ is not allowed to open ${readable}/q\\.db: Requires write access`),
    );
    assert.doesNotMatch(r.stderr, /\n\s+at |Stack backtrace|run again with/);
    assert.equal(await Deno.readTextFile(yml), before);
    assert.equal(await listing(readable), "", "no database file was created");
    await assertRefused(p, ["session", "list"], /^Error: no database at .*q\.db/);
  } finally {
    await p.cleanup();
    await bash('rm -rf -- "$1"', readable);
  }
});

Deno.test("--config and SPARKQ_CONFIG outside the readable paths are refused clearly", async () => {
  const p = await tempProject();
  const outside = await outsideDir();
  try {
    await bash('cp "$1" "$2/sparkq.yml"', `${p.dir}/sparkq.yml`, outside);
    await assertRefused(
      p,
      ["session", "list", "--config", `${outside}/sparkq.yml`],
      new RegExp(
        `^Error: SparkQ is not allowed to read ${outside}/sparkq\\.yml \\(from --config\\)`,
      ),
    );
    await assertRefused(
      p,
      ["session", "create", "x"],
      /^Error: SparkQ is not allowed to read .* \(from SPARKQ_CONFIG\)\nSparkQ reads only/,
      1,
      { env: { SPARKQ_CONFIG: `${outside}/sparkq.yml` } },
    );
    assert.equal(await listing(outside), "sparkq.yml\n", "no cache or database written beside it");
  } finally {
    await p.cleanup();
    await bash('rm -rf -- "$1"', outside);
  }
});
