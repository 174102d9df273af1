/**
 * Builds SparkQ's distribution.
 *
 * `deno task bundle` (no flags):
 *   1. bundles each cold entry of `COLD_ENTRIES` (`src/core/cold.ts`: config = YAML and
 *      zod, setup, server = server and web UI, jsonschema, mcp) on its own with
 *      `deno bundle --minify` into `dist/sparkq-<name>.js`;
 *   2. bundles `main.ts` (the hot CLI) the same way into `dist/sparkq.js` and replaces the
 *      one string literal `SPARKQ_EMBEDDED_COLD_MODULES` with a JSON map from each cold
 *      name to its file beside the bundle. Every byte of `dist/sparkq.js` is read at each
 *      start of every command, so the cold modules stay out of it: the hot commands
 *      agents call all the time read about 120 KiB, and a command that needs a cold
 *      module reads just that one file (with V8's code cache, like any module file);
 *   3. runs the result with `--no-config` from `/` (no deno.json, no node_modules):
 *      `--version` (hot half) and `setup` without a TTY (loads the cold half);
 *   4. writes the launcher `./sparkq` from the permission flags of the `sparkq` task in
 *      deno.json, turning its relative paths into paths computed from the launcher's
 *      own location, so the task and the launcher cannot drift apart. The task's
 *      `$(sh scripts/db_net.sh …)` (the database host for --allow-net) becomes the same
 *      shell functions copied into the launcher.
 *
 * `deno task compile` (`--compile`): `deno compile` of `main.ts` with the same
 * permission flags (paths made absolute for this folder) into `dist/sparkq-bin`; a
 * binary's flags are fixed, so it reaches a database only on the loopback interface.
 */

import { COLD_ENTRIES, coldFile, type ColdName } from "../src/core/cold.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DIST = `${ROOT}/dist`;
/** The string literal in `src/core/cold.ts` that step 2 replaces. */
const MARKER = "SPARKQ_EMBEDDED_COLD_MODULES";
/**
 * Child processes run `deno` from PATH, which is what `--allow-run=deno` allows
 * (setup.sh and .ci/run put a locally installed deno on PATH first).
 */
const DENO = "deno";

/** Exits with an `Error:` line (and optional detail) instead of a stack trace. */
class BuildError extends Error {}

/** Runs a command; returns its output, or throws a BuildError with its stderr. */
async function run(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(DENO, {
    args,
    cwd,
    stdin: "null",
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Bundles one entry point (minified) and returns the JavaScript text. */
async function bundle(entry: string, outFile: string): Promise<string> {
  const r = await run([
    "bundle",
    "--quiet",
    "--minify",
    "--platform=deno",
    "--output",
    outFile,
    entry,
  ]);
  if (r.code !== 0) {
    const missing = [...r.stderr.matchAll(/Module not found "file:\/\/([^"]+)"/g)].map((m) => m[1]);
    throw new BuildError(
      `deno bundle ${entry} failed` +
        (missing.length ? `: missing module(s) ${missing.join(", ")}` : "") +
        `\n${r.stderr.trim()}`,
    );
  }
  return Deno.readTextFile(outFile);
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * Checks a cold bundle: it may contain its own copy of `src/core/cold.ts` (marker
 * unreplaced, source fallback never taken: the hot half has put the map on
 * `globalThis`); no other code in it may use `import.meta`, so that it also runs from
 * the compiled binary, where files next to a module are not there to read.
 */
export function checkCold(js: string, name = "cold"): string {
  const allowed = count(js, `"${MARKER}"`) + count(js, `'${MARKER}'`);
  // esbuild's Node shim for CommonJS dependencies; it works in a module file.
  const shims = count(js, "createRequire(import.meta.url)");
  const metas = count(js, "import.meta") - shims;
  if (metas !== allowed) {
    throw new BuildError(
      `the cold module '${name}' uses import.meta ${metas - allowed} time(s) besides ` +
        "src/core/cold.ts: code reached from a cold entry must not read files next to itself " +
        "(embed assets at build time)",
    );
  }
  return js;
}

/** Puts the map of cold module files into the hot bundle in place of the marker literal. */
export function embed(hot: string, files: Record<string, string>): string {
  const n = count(hot, `"${MARKER}"`) + count(hot, `'${MARKER}'`);
  if (n !== 1) {
    throw new BuildError(
      `expected the marker "${MARKER}" exactly once in the main bundle, found it ${n} times ` +
        '(src/core/cold.ts must keep `const EMBEDDED: string = "' + MARKER + '";`)',
    );
  }
  return hot.replace(
    new RegExp(`(["'])${MARKER}\\1`),
    () => JSON.stringify(JSON.stringify(files)),
  );
}

/** The script that names the database host for --allow-net (see its comments). */
export const DB_NET_SCRIPT = "scripts/db_net.sh";
/** The task's call of it: `$(sh scripts/db_net.sh <the task's --allow-read value>)`. */
const DB_NET_CALL = /\s\$\(sh scripts\/db_net\.sh ([^\s)]+)\)(?=\s)/g;

/** The words of the `sparkq` task in deno.json: its permission flags, in order. */
export async function taskFlags(): Promise<string[]> {
  const cfg = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  return sparkqTaskFlags(String(cfg.tasks?.sparkq ?? ""));
}

/**
 * The permission flags of the `sparkq` task's text, without its `$(sh scripts/db_net.sh
 * …)` (which adds the database host at run time); checks that the call is there once,
 * given the task's --allow-read value, so that it looks for sparkq.yml where the
 * program may read.
 */
export function sparkqTaskFlags(task: string): string[] {
  const calls = [...task.matchAll(DB_NET_CALL)];
  const words = task.replace(DB_NET_CALL, "").trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || words[words.length - 1] !== "main.ts") {
    throw new BuildError(`the "sparkq" task in deno.json must be 'deno run <flags> main.ts'`);
  }
  const flags = words.slice(2, -1);
  const read = flags.find((f) => f.startsWith("--allow-read="))?.slice("--allow-read=".length);
  if (calls.length !== 1 || calls[0][1] !== read) {
    throw new BuildError(
      `the "sparkq" task in deno.json must add the database host to --allow-net once: ` +
        `'$(sh ${DB_NET_SCRIPT} ${read ?? "<its --allow-read value>"})' after its --allow-net`,
    );
  }
  return flags;
}

/**
 * The shell functions of scripts/db_net.sh that the launcher carries: the lines between
 * its `# BEGIN sparkq_db_net` and `# END sparkq_db_net` lines.
 */
export function dbNetFunctions(
  text = Deno.readTextFileSync(new URL("db_net.sh", import.meta.url)),
): string {
  const m = text.match(/^# BEGIN sparkq_db_net[^\n]*\n([\s\S]*?)^# END sparkq_db_net$/m);
  if (!m) throw new BuildError(`${DB_NET_SCRIPT} lacks its BEGIN/END sparkq_db_net lines`);
  return m[1];
}

const PATH_FLAGS = /^(--(?:allow|deny)-(?:read|write)|--ignore-read)=(.*)$/;

/**
 * Rewrites the task's relative permission paths (relative to the SparkQ folder,
 * where `deno task` runs) with `base` = how to name that folder, `parent` = its
 * parent: `..` → parent, `.` → base, `x` → base/x. Absolute paths stay.
 */
export function absoluteFlags(flags: string[], base: string, parent: string): string[] {
  return flags.map((flag) => {
    const m = flag.match(PATH_FLAGS);
    if (!m) return flag;
    const paths = m[2].split(",").map((p) => {
      if (p.startsWith("/")) return p;
      if (p === ".") return base;
      if (p === "..") return parent;
      if (p.startsWith("../")) return `${parent}/${p.slice(3)}`;
      return `${base}/${p.replace(/^\.\//, "")}`;
    });
    return `${m[1]}=${paths.join(",")}`;
  });
}

/**
 * The launcher `./sparkq`: a POSIX sh script that runs dist/sparkq.js with the task's
 * flags, plus the database host (scripts/db_net.sh's functions, `dbNet`) after
 * --allow-net.
 */
export function launcherScript(flags: string[], dbNet = dbNetFunctions()): string {
  const shQuote = (s: string) => s.replace(/[\\"`$]/g, (c) => `\\${c}`);
  // Paths become "$dir"/"$parent" shell variables; everything else is literal.
  const word = (f: string) =>
    `"${shQuote(f).replaceAll("\u0001dir", "$dir").replaceAll("\u0001parent", "$parent")}"`;
  const absolute = absoluteFlags(flags, "\u0001dir", "\u0001parent");
  const words = absolute.flatMap((f) =>
    f.startsWith("--allow-net=") ? [word(f), '${sparkq_net:+"$sparkq_net"}'] : [word(f)]
  );
  const readable = absolute.find((f) => f.startsWith("--allow-read="));
  if (!readable || !flags.some((f) => f.startsWith("--allow-net="))) {
    throw new BuildError("the sparkq task needs --allow-read and --allow-net flags");
  }
  const readableWord = word(readable.slice("--allow-read=".length));
  return `#!/bin/sh
# SparkQ launcher, written by scripts/build.ts (setup.sh / deno task bundle).
# Do not edit: the permission flags are the "sparkq" task's in deno.json, with its
# paths made absolute from where this file lives.
# Start-up time matters (agents call this constantly): only shell built-ins below,
# no subshells, except readlink when the launcher is reached through a symlink.
self=$0
if [ -L "$self" ] && resolved=$(readlink -f -- "$self") && [ -n "$resolved" ]; then
  self=$resolved
fi
case "$self" in
  */*) here=\${self%/*} ;;
  *) here=. ;;
esac
# The caller's directory as the program sees it (symlinks resolved), then this file's.
back=$PWD
CDPATH='' cd -P . || exit 1
cwd=$PWD
CDPATH='' cd -P -- "\${here:-/}" || exit 1
dir=$PWD
CDPATH='' cd -- "$back" || exit 1
parent=\${dir%/*}
parent=\${parent:-/}
if command -v deno >/dev/null 2>&1; then
  deno=deno
elif [ -x "$dir/.tools/node_modules/.bin/deno" ]; then
  deno="$dir/.tools/node_modules/.bin/deno"
else
  echo "Error: deno not found on PATH nor in $dir/.tools: run $dir/setup.sh" >&2
  exit 1
fi
if [ ! -f "$dir/dist/sparkq.js" ]; then
  echo "Error: $dir/dist/sparkq.js is missing: run $dir/setup.sh" >&2
  exit 1
fi
# INIT_CWD is how 'deno task' passes the caller's directory; here the cwd is the caller's.
unset INIT_CWD
# sparkq.yml is found upward from the cwd; when there is none, this folder's is used,
# so the launcher works from anywhere in the project (the repo root is the parent).
# Only config lookup uses this fallback: 'setup' writes where it is run.
SPARKQ_DEFAULT_CONFIG="$dir/sparkq.yml"
export SPARKQ_DEFAULT_CONFIG
# --allow-net also gets the PostgreSQL host:port of the database URL in effect, if any
# (the functions below are scripts/db_net.sh's; see its comments).
${dbNet.trim()}
sparkq_db_net "$cwd" ${readableWord} "$@"
exec "$deno" run --no-config --no-lock ${words.join(" ")} "$dir/dist/sparkq.js" "$@"
`;
}

/** Checks that the bundle runs outside this folder with the task's flags. */
async function verify(file: string): Promise<void> {
  const flags = absoluteFlags(await taskFlags(), ROOT, ROOT.replace(/\/[^/]*$/, "") || "/");
  const base = ["run", "--no-config", "--no-lock", ...flags, file];
  const version = await run([...base, "--version"], "/");
  if (version.code !== 0 || !/^sparkq \d/.test(version.stdout)) {
    throw new BuildError(
      `dist/sparkq.js does not run: --version exited ${version.code}\n${version.stderr}`,
    );
  }
  // `setup` without a terminal loads the cold half, then refuses before writing.
  const cold = await run([...base, "setup"], "/");
  if (cold.code !== 1 || !/not a terminal/.test(cold.stderr)) {
    throw new BuildError(
      `the cold half of dist/sparkq.js does not load (setup exited ${cold.code})\n${cold.stderr}`,
    );
  }
}

/** The cold entries as paths relative to the repository root. */
function coldEntries(): [ColdName, string][] {
  return (Object.entries(COLD_ENTRIES) as [ColdName, string][]).map(([name, rel]) => [
    name,
    new URL(rel, new URL("../src/core/", import.meta.url)).pathname.slice(ROOT.length + 1),
  ]);
}

const kb = (n: number) => `${Math.round(n / 1024)} KiB`;

async function buildBundle(): Promise<void> {
  await Deno.mkdir(DIST, { recursive: true });
  // A cold module that no longer exists leaves no stale file behind in dist/.
  const current = new Set(Object.keys(COLD_ENTRIES).map((n) => coldFile(n as ColdName).slice(2)));
  for (const e of Deno.readDirSync(DIST)) {
    if (/^sparkq-.*\.js$/.test(e.name) && !current.has(e.name)) {
      Deno.removeSync(`${DIST}/${e.name}`);
    }
  }
  const files: Record<string, string> = {};
  const sizes: string[] = [];
  for (const [name, entry] of coldEntries()) {
    const file = `${DIST}/${coldFile(name).slice(2)}`;
    const js = checkCold(await bundle(entry, file), name);
    await Deno.writeTextFile(file, js);
    files[name] = coldFile(name);
    sizes.push(`${coldFile(name).slice(2)} ${kb(new TextEncoder().encode(js).length)}`);
  }
  const hotFile = `${DIST}/sparkq-hot.js`;
  const hot = await bundle("main.ts", hotFile);
  const out = `${DIST}/sparkq.js`;
  const tmp = `${out}.tmp`;
  await Deno.writeTextFile(tmp, embed(hot, files));
  await verify(tmp);
  await Deno.rename(tmp, out);
  await Deno.remove(hotFile);
  const launcher = `${ROOT}/sparkq`;
  await Deno.writeTextFile(launcher, launcherScript(await taskFlags()), { mode: 0o755 });
  await Deno.chmod(launcher, 0o755);
  console.log(
    `Built dist/sparkq.js (${kb((await Deno.stat(out)).size)}) and the launcher ./sparkq; ` +
      `cold modules beside it: ${sizes.join(", ")}`,
  );
}

async function compile(): Promise<void> {
  const parent = ROOT.replace(/\/[^/]*$/, "") || "/";
  const flags = absoluteFlags(await taskFlags(), ROOT, parent);
  await Deno.mkdir(DIST, { recursive: true });
  const output = `${DIST}/sparkq-bin`;
  const r = await run([
    "compile",
    ...flags,
    ...coldEntries().flatMap(([, entry]) => ["--include", entry]),
    "--output",
    output,
    "main.ts",
  ]);
  if (r.code !== 0) {
    const offline = /dl\.deno\.land|denort|error sending request|dns error/i.test(r.stderr);
    throw new BuildError(
      offline
        ? "deno compile needs its runtime base binary 'denort' (the same version as this deno, " +
          `${Deno.version.deno}) and could not download it from dl.deno.land.\n` +
          "Run 'deno task compile' on a machine that can reach dl.deno.land, or set DENORT_BIN " +
          "to a denort binary of that exact version (the full 'deno' binary does not work).\n" +
          "Until then use the launcher ./sparkq (setup.sh), which runs dist/sparkq.js with the " +
          "same permission flags.\n\n" + r.stderr.trim()
        : `deno compile failed\n${r.stderr.trim()}`,
    );
  }
  console.log(
    `Built ${output}: a single executable with these permissions baked in:\n  ${
      flags.join(" ")
    }\nThe paths are absolute for ${ROOT}; rebuild after moving the folder.`,
  );
}

if (import.meta.main) {
  try {
    if (Deno.args.includes("--compile")) await compile();
    else await buildBundle();
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(`Error: ${e.message}`);
    Deno.exit(1);
  }
}
