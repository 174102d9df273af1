/**
 * Shared pieces of the queue benchmarks: throw-away projects made by the real CLI,
 * timing of whole processes, medians, and a description of the machine.
 */
import { loadConfig } from "../src/config/load.ts";
import type { EngineContext } from "../src/engine/context.ts";
import { openStore } from "../src/engine/project.ts";

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The deno binary running the benchmark. */
export const DENO = Deno.execPath();
/** The permission flags of the `sparkq` task in deno.json. */
export const SPARKQ_FLAGS: string[] = String(
  JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks.sparkq,
).split(/\s+/).filter((w) => w.startsWith("--"));

/** A way of starting SparkQ: the program and the arguments that precede the command. */
export interface Form {
  label: string;
  cmd: string;
  pre: string[];
  /** Run in the project's folder (a launcher) rather than in the repo with INIT_CWD (deno task). */
  inProject?: boolean;
}

/** `deno run <task flags> main.ts`, as `deno task sparkq` runs it. */
export const MAIN_FORM: Form = {
  label: "deno run main.ts",
  cmd: DENO,
  pre: ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`],
};

/** The forms to measure: main.ts always, plus the `./sparkq` launcher when it has been built. */
export function forms(): Form[] {
  const out = [MAIN_FORM];
  try {
    if (Deno.statSync(`${ROOT}/sparkq`).isFile) {
      out.push({ label: "./sparkq", cmd: `${ROOT}/sparkq`, pre: [], inProject: true });
    }
  } catch { /* not built */ }
  return out;
}

/** A throw-away project made with `sparkq setup --yes`. */
export interface BenchProject {
  dir: string;
  db: string;
  /** Runs a SparkQ command in the project; throws on a non-zero exit. */
  cli(args: string[], form?: Form): Promise<{ stdout: string; ms: number }>;
  /** Opens the engine on the project's config and store (its SQLite file or PostgreSQL). */
  engine(): Promise<EngineContext & { close(): void }>;
  cleanup(): Promise<void>;
}

/**
 * Makes a project in a temp dir with `setup --yes` (plus `setupFlags`: `--database-url URL`
 * makes it a PostgreSQL project).
 */
export async function benchProject(
  prefix = "sparkq-bench-",
  setupFlags: string[] = [],
): Promise<BenchProject> {
  const dir = await Deno.makeTempDir({ prefix });
  const cli = async (args: string[], form: Form = MAIN_FORM) => {
    const t0 = performance.now();
    const out = await new Deno.Command(form.cmd, {
      args: [...form.pre, ...args],
      cwd: form.inProject ? dir : ROOT,
      env: { INIT_CWD: dir, NO_COLOR: "1", RUST_BACKTRACE: "0", SPARKQ_TMPDIR: dir },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const ms = performance.now() - t0;
    const dec = new TextDecoder();
    if (out.code !== 0) {
      throw new Error(`sparkq ${args.join(" ")} exited ${out.code}: ${dec.decode(out.stderr)}`);
    }
    return { stdout: dec.decode(out.stdout), ms };
  };
  await cli(["setup", "--yes", "--name", "bench", "--repo-path", ".", ...setupFlags]);
  return {
    dir,
    db: `${dir}/sparkq.db`,
    cli,
    engine: async () => {
      const loaded = await loadConfig(`${dir}/sparkq.yml`);
      const db = await openStore(loaded);
      return { db, config: loaded.config, close: () => db.close() };
    },
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Wall time of one process run, in ms (it must exit 0). */
export async function timeProcess(cmd: string, args: string[], cwd = ROOT): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

/** The median of some numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A number rounded for a table. */
export function fmt(x: number, digits = 1): string {
  return x.toFixed(digits);
}

/** Date, CPU, cores, memory, load and Deno version, for BENCHMARKS.md. */
export async function machine(): Promise<string> {
  // /proc needs --allow-all when read directly; a child process needs only --allow-run
  const sh = async (cmd: string) => {
    try {
      const out = await new Deno.Command("sh", { args: ["-c", cmd], stderr: "null" }).output();
      return new TextDecoder().decode(out.stdout).trim();
    } catch {
      return "";
    }
  };
  const cpu = (await sh("grep -m1 'model name' /proc/cpuinfo")).replace(/^.*:\s*/, "") ||
    "unknown CPU";
  const kb = Number((await sh("grep MemTotal /proc/meminfo")).replace(/\D+/g, ""));
  const load = (await sh("cut -d' ' -f1-3 /proc/loadavg")) || "?";
  return `${
    new Date().toISOString().slice(0, 10)
  }, ${cpu}, ${navigator.hardwareConcurrency} cores` +
    `${kb ? `, ${Math.round(kb / 1024 / 1024)} GiB RAM` : ""}, Deno ${Deno.version.deno}` +
    `, load average before the run ${load}`;
}
