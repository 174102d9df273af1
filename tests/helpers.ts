/**
 * Test helpers: run the real CLI as a subprocess, exactly as `deno task sparkq` does
 * (same permission flags, read from deno.json; cwd = the SparkQ folder; INIT_CWD =
 * the test's temp dir), and make throw-away projects in temp dirs.
 */
import { DatabaseSync } from "node:sqlite";

/** The repository root (the SparkQ folder). */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The deno binary running the tests. */
export const DENO = Deno.execPath();

/** The permission flags of the `sparkq` task in deno.json. */
export const SPARKQ_FLAGS: string[] = (() => {
  const cfg = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  const words = String(cfg.tasks.sparkq).split(/\s+/);
  return words.filter((w) => w.startsWith("--"));
})();

/** What a CLI run produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of `sparkq()`. */
export interface RunOptions {
  /** The directory the user "is in" (INIT_CWD for the source, the cwd for a launcher). */
  cwd: string;
  /** Text fed to stdin. */
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  /**
   * Run through this launcher (a built `./sparkq`) instead of `deno run main.ts`.
   * Default: {@link DEFAULT_LAUNCHER}.
   */
  launcher?: string;
}

/**
 * The launcher every `sparkq()` call uses unless told otherwise: with
 * `SPARKQ_TEST_VIA=launcher`, `$SPARKQ_TEST_LAUNCHER` or the repository's `./sparkq`
 * (build it first: `deno task bundle`); otherwise none (the source).
 */
export const DEFAULT_LAUNCHER: string | undefined = Deno.env.get("SPARKQ_TEST_VIA") === "launcher"
  ? Deno.env.get("SPARKQ_TEST_LAUNCHER") || `${ROOT}/sparkq`
  : undefined;

/**
 * The process that runs `sparkq <args>` for a user in `opts.cwd`: `deno run` of main.ts
 * with the task's flags (cwd = the SparkQ folder, INIT_CWD = the user's directory, as
 * `deno task sparkq` does), or `sh <launcher>` from the user's directory.
 */
export function sparkqCommand(
  args: string[],
  opts: Omit<RunOptions, "stdin">,
): { cmd: string; args: string[]; cwd: string; env: Record<string, string> } {
  const env = { NO_COLOR: "1", RUST_BACKTRACE: "0", ...opts.env };
  const launcher = opts.launcher ?? DEFAULT_LAUNCHER;
  if (launcher === undefined) {
    return {
      cmd: DENO,
      args: ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`, ...args],
      cwd: ROOT,
      env: { INIT_CWD: opts.cwd, ...env },
    };
  }
  // The launcher finds deno on PATH: put the one running these tests first.
  const path = `${DENO.replace(/\/[^/]*$/, "")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
  return { cmd: "sh", args: [launcher, ...args], cwd: opts.cwd, env: { PATH: path, ...env } };
}

/** Runs `sparkq <args>` through `deno run` with the task's flags (or a launcher). */
export async function sparkq(args: string[], opts: RunOptions): Promise<RunResult> {
  const how = sparkqCommand(args, opts);
  const cmd = new Deno.Command(how.cmd, {
    args: how.args,
    cwd: how.cwd,
    env: how.env,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(
      typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin,
    );
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

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

/** A throw-away project: a temp dir with sparkq.yml and sparkq.db made by `setup --yes`. */
export interface TempProject {
  dir: string;
  db: string;
  /** The launcher its commands run through (undefined: the source). */
  launcher?: string;
  /** Runs the CLI in this project. */
  run(args: string[], extra?: Omit<RunOptions, "cwd">): Promise<RunResult>;
  /** Runs the CLI and requires exit 0; returns stdout. */
  ok(args: string[], extra?: Omit<RunOptions, "cwd">): Promise<string>;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

/**
 * Makes a project with `setup --yes` (extra setup flags may be given). Its commands run
 * through `opts.launcher` when given (else {@link DEFAULT_LAUNCHER}, else the source).
 */
export async function tempProject(
  setupFlags: string[] = [],
  opts: { launcher?: string } = {},
): Promise<TempProject> {
  const dir = await Deno.makeTempDir({ prefix: "sparkq-test-" });
  const tmp = `${dir}/tmp`;
  await Deno.mkdir(tmp);
  const env = { SPARKQ_TMPDIR: tmp };
  const launcher = opts.launcher ?? DEFAULT_LAUNCHER;
  await ok(["setup", "--yes", "--name", "test", "--repo-path", ".", ...setupFlags], {
    cwd: dir,
    env,
    launcher,
  });
  const at = (extra: Omit<RunOptions, "cwd">): RunOptions => ({
    cwd: dir,
    launcher,
    ...extra,
    env: { ...env, ...extra.env },
  });
  return {
    dir,
    db: `${dir}/sparkq.db`,
    launcher,
    run: (args, extra = {}) => sparkq(args, at(extra)),
    ok: (args, extra = {}) => ok(args, at(extra)),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** A full dump of the database's rows, for "bad input changed nothing" checks. */
export function dumpDb(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of ["projects", "sessions", "streams", "tasks"]) {
      out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
    }
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

/** Runs one SQL query against a database file (read-only) and returns the rows. */
export function query(path: string, sql: string, ...params: (string | number | null)[]) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all(...params).map((r) => ({ ...r })) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Runs one write statement against a database file (to age tasks, say). */
export function exec(path: string, sql: string, ...params: (string | number)[]): void {
  const db = new DatabaseSync(path);
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
  const before = dumpDb(p.db);
  const r = await p.run(args, extra);
  const where = `sparkq ${args.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${r.code}: ${where}`);
  if (!r.stderr.startsWith("Error: ")) {
    throw new Error(`stderr does not start with 'Error: ': ${where}`);
  }
  if (!pattern.test(r.stderr)) throw new Error(`stderr does not match ${pattern}: ${where}`);
  if (/\n\s+at |Stack backtrace/.test(r.stderr)) throw new Error(`stack trace printed: ${where}`);
  if (dumpDb(p.db) !== before) throw new Error(`the database changed: ${where}`);
  return r;
}

/** A loopback port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

let built: Promise<string> | undefined;

/**
 * A launcher built for this test run: the SparkQ sources (deno.json, deno.lock, main.ts,
 * src, scripts) copied into a temp folder and `deno task bundle` run there, so a test
 * proves the program as it is now and not a `./sparkq` left by an earlier build.
 * Built once per test process; returns the launcher's path.
 */
export function freshLauncher(): Promise<string> {
  built ??= (async () => {
    const base = await Deno.makeTempDir({ prefix: "sparkq-launcher-" });
    const sq = `${base}/sparkq`;
    await Deno.mkdir(sq);
    const copy = async (from: string, to: string): Promise<void> => {
      if ((await Deno.stat(from)).isFile) return Deno.copyFile(from, to);
      await Deno.mkdir(to, { recursive: true });
      for await (const e of Deno.readDir(from)) await copy(`${from}/${e.name}`, `${to}/${e.name}`);
    };
    for (const f of ["deno.json", "deno.lock", "main.ts", "src", "scripts", "WORKER_PLAYBOOK.md"]) {
      await copy(`${ROOT}/${f}`, `${sq}/${f}`);
    }
    const out = await new Deno.Command(DENO, {
      args: ["task", "--quiet", "bundle"],
      cwd: sq,
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdin: "null",
    }).output();
    if (!out.success) {
      throw new Error(`deno task bundle failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(base, { recursive: true });
      } catch { /* already gone */ }
    });
    return `${sq}/sparkq`;
  })();
  return built;
}
