/**
 * Whole-process cost of the hot CLI commands (peek, claim, enqueue, complete, tasks)
 * against a bare `deno run --no-config --no-lock` of an empty script measured in the
 * same run, interleaved round by round; then end-to-end CLI cycles per second
 * (enqueue, claim, complete: three processes per task). Measures `deno run main.ts`
 * with the sparkq task's flags, and the `./sparkq` launcher too when it has been built.
 *
 * deno run --allow-read --allow-write=/tmp --allow-run --allow-env bench/cli_cycles.ts
 */
import { claim } from "../src/engine/queue.ts";
import { enqueue } from "../src/engine/queue.ts";
import { createSession } from "../src/engine/sessions.ts";
import { createStream } from "../src/engine/streams.ts";
import {
  benchProject,
  DENO,
  fmt,
  type Form,
  forms,
  machine,
  median,
  timeProcess,
} from "./queue_bench_lib.ts";

const ROUNDS = 15;
const WARMUP = 2;
const CYCLES = 20;

const where = await machine();
const p = await benchProject();
const empty = `${p.dir}/empty.ts`;
await Deno.writeTextFile(empty, "");
const used = forms();
const perRun = (ROUNDS + WARMUP) * used.length;
try {
  // streams: q (queued tasks to peek and claim), e (enqueue target), r (running tasks to complete)
  const ctx = await p.engine();
  const running: string[] = [];
  try {
    createSession(ctx, { name: "bench" });
    for (const s of ["q", "e", "r"]) createStream(ctx, { name: s, session: "bench" });
    for (let i = 0; i < perRun + 10; i++) {
      await enqueue(ctx, { stream: "q", tool: "run-bash", payload: { cmd: `echo ${i}` } });
      await enqueue(ctx, { stream: "r", tool: "run-bash", payload: { cmd: `echo ${i}` } });
    }
    for (let i = 0; i < perRun; i++) running.push(claim(ctx, "r")!.id);
  } finally {
    ctx.close();
  }

  const commands: [string, () => string[]][] = [
    ["peek", () => ["peek", "--stream", "q"]],
    ["claim", () => ["claim", "--stream", "q"]],
    ["enqueue", () => ["enqueue", "run-bash", '{"cmd":"ls"}', "--stream", "e"]],
    ["complete", () => ["complete", running.pop()!, "--result", '{"summary":"ok"}']],
    ["tasks", () => ["tasks"]],
  ];
  const times = new Map<string, number[]>();
  const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    const keep = round >= WARMUP;
    const base = await timeProcess(DENO, ["run", "--no-config", "--no-lock", empty], p.dir);
    if (keep) add("baseline", base);
    for (const form of used) {
      for (const [name, args] of commands) {
        const { ms } = await p.cli(args(), form);
        if (keep) add(`${form.label}|${name}`, ms);
      }
    }
  }

  const cycles = async (form: Form) => {
    const t0 = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      const id = (await p.cli(["enqueue", "run-bash", '{"cmd":"ls"}', "--stream", "c"], form))
        .stdout.trim();
      const got = JSON.parse((await p.cli(["claim", "--stream", "c"], form)).stdout).id;
      if (got !== id) throw new Error(`claimed ${got}, expected ${id}`);
      await p.cli(["complete", id, "--result", '{"summary":"ok"}'], form);
    }
    return CYCLES / ((performance.now() - t0) / 1000);
  };
  await p.cli(["stream", "create", "c", "--session", "bench"]);
  const cycleRates = new Map<string, number>();
  for (const form of used) cycleRates.set(form.label, await cycles(form));

  const base = median(times.get("baseline")!);
  console.log(`CLI start-up and cycles — ${where}`);
  console.log(
    `${ROUNDS} interleaved rounds (after ${WARMUP} warm-up), median wall time per process`,
  );
  console.log("");
  console.log(`| command | ${used.map((f) => `${f.label} (ms) | × baseline`).join(" | ")} |`);
  console.log(`|---|${used.map(() => "---:|---:").join("|")}|`);
  console.log(
    `| baseline: \`deno run --no-config --no-lock\` empty script | ${
      used.map(() => `${fmt(base)} | 1.00`).join(" | ")
    } |`,
  );
  for (const [name] of commands) {
    const cells = used.map((f) => {
      const m = median(times.get(`${f.label}|${name}`)!);
      return `${fmt(m)} | ${fmt(m / base, 2)}`;
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
  console.log("");
  for (const [label, r] of cycleRates) {
    console.log(
      `End-to-end CLI cycles (${label}; enqueue, claim, complete = 3 processes per task, ` +
        `${CYCLES} tasks): ${fmt(r, 2)} cycles/s`,
    );
  }
} finally {
  await p.cleanup();
}
