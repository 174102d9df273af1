/**
 * SQLite start-up of two builds of the launcher in one interleaved run: did adding the
 * PostgreSQL store (issue 14) slow the one-machine user's commands? Each round runs the
 * floor (`deno run --no-config --no-lock` of an empty script) and then, through launcher
 * A and launcher B (each on a SQLite temp project of its own), `session list`,
 * `enqueue`, `peek`, `claim`, `complete` (of the task just claimed) and `tasks`.
 * Medians and ratios to the floor of the same rounds. Separate runs move by about ±0.1×
 * with the floor alone, so only one interleaved run compares two builds fairly.
 *
 * Make launcher A from an older commit, e.g.
 *   git archive 4adc07c | tar -x -C /tmp/old && (cd /tmp/old && deno task bundle)
 * then, with `deno task bundle` run here too:
 *   deno run --allow-read --allow-write=/tmp --allow-run --allow-env bench/pg_startup_ab.ts \
 *     /tmp/old/sparkq ./sparkq [--rounds N]
 */
import { DENO, fmt, median, timeProcess } from "./queue_bench_lib.ts";

const [launcherA, launcherB] = Deno.args.filter((a) => !a.startsWith("--") && !/^\d+$/.test(a));
if (!launcherA || !launcherB) {
  console.error("usage: pg_startup_ab.ts LAUNCHER_A LAUNCHER_B [--rounds N]");
  Deno.exit(2);
}
const i = Deno.args.indexOf("--rounds");
const ROUNDS = i === -1 ? 40 : Number(Deno.args[i + 1]);
const WARMUP = 5;

const dec = new TextDecoder();
async function timed(launcher: string, args: string[], cwd: string) {
  const t0 = performance.now();
  const out = await new Deno.Command(launcher, {
    args,
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", SPARKQ_TMPDIR: cwd },
  }).output();
  const ms = performance.now() - t0;
  if (out.code !== 0) {
    throw new Error(`${launcher} ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  }
  return { ms, stdout: dec.decode(out.stdout) };
}

const dir = await Deno.makeTempDir({ prefix: "sparkq-bench-ab-" });
try {
  const empty = `${dir}/empty.js`;
  await Deno.writeTextFile(empty, "");
  const sides = [
    { label: "A", launcher: Deno.realPathSync(launcherA), dir: `${dir}/a` },
    { label: "B", launcher: Deno.realPathSync(launcherB), dir: `${dir}/b` },
  ];
  for (const s of sides) {
    await Deno.mkdir(s.dir);
    await timed(s.launcher, ["setup", "--yes", "--name", "ab", "--repo-path", "."], s.dir);
    await timed(s.launcher, ["session", "create", "ab"], s.dir);
    await timed(s.launcher, ["stream", "create", "b", "--session", "ab"], s.dir);
  }
  const names = ["session list", "enqueue", "peek", "claim", "complete", "tasks"];
  const times = new Map<string, number[]>();
  const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const keep = round >= WARMUP;
    const floor = await timeProcess(DENO, ["run", "--no-config", "--no-lock", empty], dir);
    if (keep) add("floor", floor);
    for (const s of sides) {
      const run = (args: string[]) => timed(s.launcher, args, s.dir);
      const r: Record<string, number> = {};
      r["session list"] = (await run(["session", "list"])).ms;
      r.enqueue = (await run(["enqueue", "run-bash", '{"script":"true"}', "--stream", "b"])).ms;
      r.peek = (await run(["peek", "--stream", "b"])).ms;
      const c = await run(["claim", "--stream", "b"]);
      r.claim = c.ms;
      r.complete =
        (await run(["complete", JSON.parse(c.stdout).id, "--result", '{"summary":"ok"}']))
          .ms;
      r.tasks = (await run(["tasks"])).ms;
      if (keep) { for (const n of names) add(`${s.label}|${n}`, r[n]); }
    }
  }
  const floor = median(times.get("floor")!);
  console.log(
    `${ROUNDS} interleaved rounds after ${WARMUP} warm-up; floor ${fmt(floor)} ms (median)\n` +
      `A = ${launcherA}, B = ${launcherB}\n`,
  );
  console.log("| command | A ms | A × floor | B ms | B × floor |");
  console.log("|---|---:|---:|---:|---:|");
  for (const n of names) {
    const a = median(times.get(`A|${n}`)!);
    const b = median(times.get(`B|${n}`)!);
    console.log(
      `| \`${n}\` | ${fmt(a)} | ${fmt(a / floor, 2)} | ${fmt(b)} | ${fmt(b / floor, 2)} |`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
