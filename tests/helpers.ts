/**
 * Test helpers: run the real CLI as a subprocess, exactly as `deno task sparkq` does
 * (same permission flags, read from deno.json; cwd = the SparkQ folder; INIT_CWD =
 * the test's temp dir), and make throw-away projects in temp dirs. Processes are
 * started by tests/support/process.ts (re-exported here).
 *
 * A project's store follows the test module's backend (tests/support/backend.ts): a
 * SQLite file in its folder, or on PostgreSQL a database of its own. `query`, `exec` and
 * `dumpDb` (and a project's methods of those names) reach either: write their SQL in
 * SQLite's dialect with `?` parameters, which simple statements share with PostgreSQL.
 */
import { DatabaseSync } from "node:sqlite";
import { freshDatabase, isPgUrl, onPostgres, pgExec, pgQuery, pgStore } from "./support/backend.ts";
import {
  DEFAULT_LAUNCHER,
  ROOT,
  type RunOptions,
  type RunResult,
  shell,
  sparkq,
} from "./support/process.ts";

export {
  DEFAULT_LAUNCHER,
  DENO,
  freshLauncher,
  ROOT,
  type RunOptions,
  type RunResult,
  sparkq,
  SPARKQ_FLAGS,
  sparkqCommand,
} from "./support/process.ts";

/** Runs a command that must succeed; returns stdout. */
export async function ok(args: string[], opts: RunOptions): Promise<string> {
  const r = await sparkq(args, opts);
  if (r.code !== 0) {
    throw new Error(
      `sparkq ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
  return r.stdout;
}

/**
 * A throw-away project: a temp dir with sparkq.yml and its store made by `setup --yes`
 * (sparkq.db there, or on PostgreSQL a fresh database named in sparkq.yml).
 */
export interface TempProject {
  dir: string;
  /** The store: the SQLite file's path, or on PostgreSQL its database URL. */
  db: string;
  /** The database URL when the project runs on PostgreSQL. */
  url?: string;
  /** Runs one query on the project's store; returns the rows. */
  query(sql: string, ...params: (string | number | null)[]): Record<string, unknown>[];
  /** Runs one write statement on the project's store (to age tasks, say). */
  exec(sql: string, ...params: (string | number | null)[]): void;
  /** A full dump of the store's rows, for "bad input changed nothing" checks. */
  dump(): string;
  /** The launcher its commands run through (undefined: the source). */
  launcher?: string;
  /** Runs the CLI in this project. */
  run(args: string[], extra?: Omit<RunOptions, "cwd">): Promise<RunResult>;
  /** Runs the CLI and requires exit 0; returns stdout. */
  ok(args: string[], extra?: Omit<RunOptions, "cwd">): Promise<string>;
  /** Removes the temp dir (and on PostgreSQL drops the database). */
  cleanup(): Promise<void>;
}

/**
 * Makes a project with `setup --yes` (extra setup flags may be given). Its commands run
 * through `opts.launcher` when given (else {@link DEFAULT_LAUNCHER}, else the source).
 * On PostgreSQL, setup gets `--database-url` of a fresh database.
 */
export async function tempProject(
  setupFlags: string[] = [],
  opts: { launcher?: string } = {},
): Promise<TempProject> {
  const dir = await Deno.makeTempDir({ prefix: "sparkq-test-" });
  const tmp = `${dir}/tmp`;
  await Deno.mkdir(tmp, { mode: 0o700 }); // SPARKQ_TMPDIR must be private (SPEC §12.4)
  const env = { SPARKQ_TMPDIR: tmp };
  const launcher = opts.launcher ?? DEFAULT_LAUNCHER;
  const pg = onPostgres() ? freshDatabase() : undefined;
  const removeAll = async () => {
    try {
      pg?.drop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
  try {
    await ok([
      "setup",
      "--yes",
      "--name",
      "test",
      "--repo-path",
      ".",
      ...(pg ? ["--database-url", pg.url] : []),
      ...setupFlags,
    ], { cwd: dir, env, launcher });
  } catch (e) {
    await removeAll();
    throw e;
  }
  const store = pg?.url ?? `${dir}/sparkq.db`;
  const at = (extra: Omit<RunOptions, "cwd">): RunOptions => ({
    cwd: dir,
    launcher,
    ...extra,
    env: { ...env, ...extra.env },
  });
  return {
    dir,
    db: store,
    url: pg?.url,
    launcher,
    query: (sql, ...params) => query(store, sql, ...params),
    exec: (sql, ...params) => exec(store, sql, ...params),
    dump: () => dumpDb(store),
    run: (args, extra = {}) => sparkq(args, at(extra)),
    ok: (args, extra = {}) => ok(args, at(extra)),
    cleanup: removeAll,
  };
}

/**
 * A full dump of a store's rows (a SQLite file's path or a PostgreSQL URL), for "bad
 * input changed nothing" checks.
 */
export function dumpDb(store: string): string {
  const out: Record<string, unknown[]> = {};
  if (isPgUrl(store)) {
    const db = pgStore(store);
    for (const t of ["projects", "sessions", "streams", "tasks"]) {
      out[t] = db.all(`SELECT * FROM ${t} ORDER BY ${t === "tasks" ? "rowid" : "id"}`);
    }
    return JSON.stringify(out);
  }
  const db = new DatabaseSync(store, { readOnly: true });
  try {
    for (const t of ["projects", "sessions", "streams", "tasks"]) {
      out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
    }
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

/**
 * Runs one SQL query against a store (a SQLite file's path, opened read-only, or a
 * PostgreSQL URL) and returns the rows.
 */
export function query(store: string, sql: string, ...params: (string | number | null)[]) {
  if (isPgUrl(store)) return pgQuery(store, sql, ...params) as Record<string, unknown>[];
  const db = new DatabaseSync(store, { readOnly: true });
  try {
    return db.prepare(sql).all(...params).map((r) => ({ ...r })) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Runs one write statement against a store (to age tasks, say). */
export function exec(store: string, sql: string, ...params: (string | number | null)[]): void {
  if (isPgUrl(store)) {
    pgExec(store, sql, ...params);
    return;
  }
  const db = new DatabaseSync(store);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/**
 * Asserts a refused command: non-zero exit (`code`), `Error: …` on stderr matching
 * `pattern`, no stack trace, and the database unchanged.
 */
export async function assertRefused(
  p: TempProject,
  args: string[],
  pattern: RegExp,
  code = 1,
  extra: Omit<RunOptions, "cwd"> = {},
): Promise<RunResult> {
  const before = p.dump();
  const r = await p.run(args, extra);
  const where = `sparkq ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${r.code}: ${where}`);
  if (!r.stderr.startsWith("Error: ")) {
    throw new Error(`stderr does not start with 'Error: ': ${where}`);
  }
  if (!pattern.test(r.stderr)) throw new Error(`stderr does not match ${pattern}: ${where}`);
  if (/\n\s+at |Stack backtrace/.test(r.stderr)) throw new Error(`stack trace printed: ${where}`);
  if (p.dump() !== before) throw new Error(`the database changed: ${where}`);
  return r;
}

/** A loopback port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * A folder outside everything SparkQ may read or write (the SparkQ folder, its parent
 * and /tmp), made with bash: the test runner itself may not write there either. Remove
 * it with `bash('rm -rf -- "$1"', dir)`.
 */
export async function outsideDir(): Promise<string> {
  const parent = ROOT.replace(/\/[^/]*$/, "") || "/";
  const inside = (p: string, base: string) => p === base || p.startsWith(base + "/");
  for (const base of ["/var/tmp", Deno.env.get("HOME") ?? "", "/dev/shm"]) {
    if (!base || inside(base, parent) || inside(base, "/tmp") || inside(parent, base)) continue;
    const out = await shell('mktemp -d "$1/sparkq-perm-test-XXXXXX"', [base], { shell: "bash" });
    const dir = out.stdout.trim();
    if (out.code === 0 && dir) return dir;
  }
  throw new Error("no writable folder outside the SparkQ folder's parent and /tmp for this test");
}

/** Runs a bash script (`$1`… = `args`) that must succeed; returns its stdout. */
export async function bash(script: string, ...args: string[]): Promise<string> {
  const out = await shell(script, args, { shell: "bash" });
  if (out.code !== 0) throw new Error(`bash failed: ${out.stderr}`);
  return out.stdout;
}
