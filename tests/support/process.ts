/**
 * Every process the tests start goes through here:
 *
 * - `run(cmd, args)` runs any program to its end; `shell(script)` runs `sh -c` (or bash);
 * - `spawn(cmd, args)` starts one in the background and collects its output;
 *   `spawnPiped` starts one with its pipes left to the caller; `isAlive(pid)` checks one;
 * - `sparkqCommand` says how to start SparkQ — `deno run main.ts` with the `sparkq`
 *   task's flags, as `deno task sparkq` does, or a built launcher, on a pipe or a
 *   pseudo-terminal — and `sparkq`, `spawnSparkq` and `sparkqOnTerminal` run it that
 *   way (to its end, in the background, to its end on a terminal);
 * - `writeSparkqShim` writes a `sparkq` executable that runs it that way, for scripts;
 * - `freshLauncher()` builds the launcher once per test process.
 *
 * Tests import these through tests/helpers.ts or directly.
 */
import { sparkqTaskFlags } from "../../scripts/build.ts";

/** The repository root (the SparkQ folder). */
export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
/** The deno binary running the tests. */
export const DENO = Deno.execPath();

/**
 * The permission flags of the `sparkq` task in deno.json, as a project without a
 * PostgreSQL URL gets them: the task's `$(sh scripts/db_net.sh …)`, which adds the
 * database host to --allow-net, is left out (tests/support/db_net.ts `dbNetFlags` runs
 * it for a project, as the task does).
 */
export const SPARKQ_FLAGS: string[] = sparkqTaskFlags(
  String(JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks.sparkq),
);

const dec = new TextDecoder();

/** What a finished process produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how a process runs. */
export interface ProcessOptions {
  cwd?: string;
  /** Added to (or, with `clearEnv`, instead of) the test runner's environment. */
  env?: Record<string, string>;
  clearEnv?: boolean;
  /** Text fed to stdin, which is then closed (default: no stdin). */
  stdin?: string | Uint8Array;
  /** `spawn` only: keep stdin open for `Spawned.write` (after `stdin`, if given). */
  interactive?: boolean;
}

function command(cmd: string, args: string[], opts: ProcessOptions): Deno.Command {
  return new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    clearEnv: opts.clearEnv,
    stdin: opts.stdin === undefined && !opts.interactive ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Writes `input` to the child's stdin and closes it (quietly if the child has gone). */
async function feed(child: Deno.ChildProcess, input: string | Uint8Array): Promise<void> {
  const w = child.stdin.getWriter();
  await w.write(typeof input === "string" ? new TextEncoder().encode(input) : input)
    .catch(() => {});
  await w.close().catch(() => {});
}

/** Runs a program to its end; returns its exit code, stdout and stderr. */
export async function run(
  cmd: string,
  args: string[],
  opts: ProcessOptions = {},
): Promise<RunResult> {
  const child = command(cmd, args, opts).spawn();
  if (opts.stdin !== undefined) await feed(child, opts.stdin);
  const out = await child.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs a shell script (`sh -c`, or `bash -c`) to its end; `$1`… are `args`. */
export function shell(
  script: string,
  args: string[] = [],
  opts: ProcessOptions & { shell?: "sh" | "bash" } = {},
): Promise<RunResult> {
  return run(opts.shell ?? "sh", ["-c", script, "sh", ...args], opts);
}

/** True while process `pid` lives (`kill -0`: it exists and may be signalled). */
export async function isAlive(pid: number): Promise<boolean> {
  return (await run("kill", ["-0", String(pid)])).code === 0;
}

/** A process running in the background. */
export interface Spawned {
  child: Deno.ChildProcess;
  pid: number;
  /** Its stdout and stderr so far, in the order they arrived. */
  output(): string;
  /** Its stdout so far. */
  stdout(): string;
  /** Its stderr so far. */
  stderr(): string;
  /** Resolves once `pattern` shows in the output; throws if the process ends first. */
  waitFor(pattern: string | RegExp, ms?: number): Promise<void>;
  /** Waits for the end and all output: the exit code (null when a signal ended it). */
  done(): Promise<{ code: number | null; signal: Deno.Signal | null }>;
  /** Waits for the end: the exit code (as `Deno.ChildProcess.status` gives it). */
  status(): Promise<number>;
  /** Sends `signal` (default SIGTERM) unless it has ended, then waits: the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Types `text` on stdin (spawned with `interactive`). */
  write(text: string): Promise<void>;
}

/** Starts a program in the background, collecting its stdout and stderr. */
export function spawn(cmd: string, args: string[], opts: ProcessOptions = {}): Spawned {
  const child = command(cmd, args, opts).spawn();
  const keys = opts.interactive ? child.stdin.getWriter() : undefined;
  if (keys && opts.stdin !== undefined) {
    keys.write(typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin)
      .catch(() => {});
  } else if (opts.stdin !== undefined) feed(child, opts.stdin);
  let all = "", out = "", err = "";
  const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
      add(chunk);
      all += chunk;
    }
  };
  const pumped = Promise.all([
    pump(child.stdout, (t) => out += t),
    pump(child.stderr, (t) => err += t),
  ]);
  let ended = false;
  const status = child.status.then(async (s) => {
    ended = true;
    await keys?.close().catch(() => {});
    return s;
  });
  const done = async () => {
    const s = await status;
    await pumped;
    return { code: s.signal ? null : s.code, signal: s.signal };
  };
  return {
    child,
    pid: child.pid,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, ms = 20_000) {
      const seen = () => typeof pattern === "string" ? all.includes(pattern) : pattern.test(all);
      const deadline = Date.now() + ms;
      while (!seen()) {
        if (ended) {
          await pumped;
          if (seen()) return;
          throw new Error(`${cmd} ended before printing ${pattern}:\n${all}`);
        }
        if (Date.now() > deadline) throw new Error(`${cmd} did not print ${pattern}:\n${all}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    done,
    async status() {
      await pumped;
      return (await status).code;
    },
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already ended */ }
      await pumped;
      return (await status).code;
    },
    async write(text: string) {
      if (!keys) throw new Error(`${cmd} was not spawned with interactive: true`);
      await keys.write(new TextEncoder().encode(text));
    },
  };
}

/**
 * Starts a program in the background with stdin, stdout and stderr all piped and left
 * to the caller (a test speaking a protocol on them, or closing them on purpose).
 */
export function spawnPiped(
  cmd: string,
  args: string[],
  opts: Omit<ProcessOptions, "stdin" | "interactive"> = {},
): Deno.ChildProcess {
  return command(cmd, args, { ...opts, interactive: true }).spawn();
}

/** Options of a SparkQ run. */
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
  /**
   * Run on a pseudo-terminal (util-linux `script`): stdin is typed, and stdout and
   * stderr come back together as stdout.
   */
  terminal?: boolean;
}

/**
 * The launcher every SparkQ run uses unless told otherwise: with
 * `SPARKQ_TEST_VIA=launcher`, `$SPARKQ_TEST_LAUNCHER` or the repository's `./sparkq`
 * (build it first: `deno task bundle`); otherwise none (the source).
 */
export const DEFAULT_LAUNCHER: string | undefined = Deno.env.get("SPARKQ_TEST_VIA") === "launcher"
  ? Deno.env.get("SPARKQ_TEST_LAUNCHER") || `${ROOT}/sparkq`
  : undefined;

/**
 * The process that runs `sparkq <args>` for a user in `opts.cwd`: `deno run` of main.ts
 * with the task's flags (cwd = the SparkQ folder, INIT_CWD = the user's directory, as
 * `deno task sparkq` does), or `sh <launcher>` from the user's directory; with
 * `terminal`, that inside util-linux `script`.
 */
export function sparkqCommand(
  args: string[],
  opts: Omit<RunOptions, "stdin">,
): { cmd: string; args: string[]; cwd: string; env: Record<string, string> } {
  if (opts.terminal) {
    const how = sparkqCommand(args, { ...opts, terminal: false });
    const quote = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
    const inner = `cd ${quote(how.cwd)} && exec ${[how.cmd, ...how.args].map(quote).join(" ")}`;
    return { cmd: "script", args: ["-qfec", inner, "/dev/null"], cwd: how.cwd, env: how.env };
  }
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

/** Runs `sparkq <args>` to its end (through `deno run` with the task's flags, or a launcher). */
export function sparkq(args: string[], opts: RunOptions): Promise<RunResult> {
  const how = sparkqCommand(args, opts);
  return run(how.cmd, how.args, { cwd: how.cwd, env: how.env, stdin: opts.stdin });
}

/**
 * Starts `sparkq <args>` in the background (a server, a watcher, a process to kill);
 * with `interactive`, its stdin stays open for `write`.
 */
export function spawnSparkq(
  args: string[],
  opts: RunOptions & { interactive?: boolean },
): Spawned {
  const how = sparkqCommand(args, opts);
  return spawn(how.cmd, how.args, {
    cwd: how.cwd,
    env: how.env,
    stdin: opts.stdin,
    interactive: opts.interactive,
  });
}

/**
 * Runs `sparkq <args>` to its end on a pseudo-terminal, typing `opts.stdin` as the user
 * would; returns what the terminal showed. `NO_COLOR` is unset unless `opts.env` sets it.
 */
export async function sparkqOnTerminal(
  args: string[],
  opts: RunOptions,
): Promise<{ code: number; out: string }> {
  const r = await sparkq(args, { ...opts, terminal: true, env: { NO_COLOR: "", ...opts.env } });
  return { code: r.code, out: r.stdout };
}

/**
 * Writes an executable `sparkq` at `path` for shell scripts to call (shell workers,
 * completion scripts): it runs SparkQ as `sparkqCommand` does, for the user in the
 * caller's directory (`$PWD`), with `opts.env` set.
 */
export async function writeSparkqShim(
  path: string,
  opts: { env?: Record<string, string>; launcher?: string } = {},
): Promise<string> {
  const q = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
  const launcher = opts.launcher ?? DEFAULT_LAUNCHER;
  const env = Object.entries({ NO_COLOR: "1", RUST_BACKTRACE: "0", ...opts.env })
    .map(([k, v]) => `${k}=${q(v)}; export ${k}\n`).join("");
  const exec = launcher === undefined
    ? `INIT_CWD="$PWD"; export INIT_CWD\ncd ${q(ROOT)} && exec ${
      [DENO, "run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`].map(q).join(" ")
    } "$@"\n`
    : `PATH=${q(DENO.replace(/\/[^/]*$/, ""))}:$PATH; export PATH\nexec sh ${q(launcher)} "$@"\n`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${env}${exec}`, { mode: 0o755 });
  await Deno.chmod(path, 0o755);
  return path;
}

let built: Promise<string> | undefined;

/**
 * A launcher built for this test run: the SparkQ sources (deno.json, deno.lock, main.ts,
 * src, scripts, WORKER_PLAYBOOK.md) copied into a temp folder and `deno task bundle` run
 * there, so a test proves the program as it is now and not a `./sparkq` left by an
 * earlier build. Built once per test process; returns the launcher's path.
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
    const r = await run(DENO, ["task", "--quiet", "bundle"], {
      cwd: sq,
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    });
    if (r.code !== 0) throw new Error(`deno task bundle failed:\n${r.stderr}`);
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(base, { recursive: true });
      } catch { /* already gone */ }
    });
    return `${sq}/sparkq`;
  })();
  return built;
}
