/**
 * Big payloads against a real server (issue 10: ten concurrent 45 MiB payloads took
 * the server to 2.2 GiB and stalled /api/health for 3.4 s). Starts `sparkq run` with
 * the `sparkq` task's permission flags in a throw-away project, then for a few seconds
 * ten clients each send, in turn, an enqueue whose payload is exactly at the 1 MiB
 * limit (accepted) and one of 45 MiB (refused with 413 before it is read), while a
 * probe asks /api/health every 20 ms. Reports the server's RSS (VmRSS of
 * /proc/<pid>/status: idle, peak under load, after) and /api/health p50/p99/max, idle
 * and under load, as a Markdown table for BENCHMARKS.md.
 *
 *   deno run --allow-read --allow-write=/tmp --allow-run --allow-env --allow-net=127.0.0.1 \
 *     bench/big_payloads.ts [--seconds N] [--no-oversize]   (RSS is read with grep: --allow-run)
 *
 * `--no-oversize`: the clients send only payloads at the limit.
 */
import { MAX_JSON_BYTES } from "../src/core/constants.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const SPARKQ_FLAGS: string[] = String(
  JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)).tasks.sparkq,
).split(/\s+/).filter((w) => w.startsWith("--"));

const CLIENTS = 10;
const OVERSIZE_BYTES = 45 * 1024 * 1024;
const secondsArg = Deno.args.indexOf("--seconds");
const SECONDS = secondsArg >= 0 ? Number(Deno.args[secondsArg + 1]) : 5;
const OVERSIZE = !Deno.args.includes("--no-oversize");

function sparkq(dir: string, args: string[]): Deno.Command {
  return new Deno.Command(DENO, {
    args: ["run", ...SPARKQ_FLAGS, `${ROOT}/main.ts`, ...args],
    cwd: ROOT,
    env: { INIT_CWD: dir, NO_COLOR: "1", SPARKQ_TMPDIR: `${dir}/tmp` },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function ok(dir: string, args: string[]): Promise<void> {
  const out = await sparkq(dir, args).output();
  if (out.code !== 0) {
    throw new Error(`sparkq ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** VmRSS of /proc/<pid>/status in MiB (read through grep: Deno grants /proc only to --allow-all). */
async function rssMiB(pid: number): Promise<number> {
  const out = await new Deno.Command("grep", {
    args: ["VmRSS", `/proc/${pid}/status`],
    stdout: "piped",
  }).output();
  return Number(/VmRSS:\s+(\d+)/.exec(new TextDecoder().decode(out.stdout))?.[1] ?? 0) / 1024;
}

/** An enqueue body whose payload's compact JSON is `payloadBytes` long. */
function enqueueBody(payloadBytes: number): Uint8Array<ArrayBuffer> {
  const head = new TextEncoder().encode(
    '{"stream":"bench","tool_name":"run-bash","payload":{"x":"',
  );
  const tail = new TextEncoder().encode('"}}');
  const fill = payloadBytes - '{"x":""}'.length;
  const out = new Uint8Array(head.length + fill + tail.length);
  out.set(head, 0);
  out.fill(0x61, head.length, head.length + fill);
  out.set(tail, head.length + fill);
  return out;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function healthProbe(url: string, until: () => boolean): Promise<number[]> {
  const ms: number[] = [];
  while (!until()) {
    const t = performance.now();
    const r = await fetch(`${url}/api/health`);
    await r.body?.cancel();
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return ms.sort((a, b) => a - b);
}

// ---- child mode: the ten clients, in their own process so the probe measures the server ----
if (Deno.args[0] === "--load") {
  const [url, secs, oversize] = [Deno.args[1], Number(Deno.args[2]), Deno.args[3] === "1"];
  const max = enqueueBody(MAX_JSON_BYTES);
  const huge = enqueueBody(OVERSIZE_BYTES);
  const n = { accepted: 0, refused: 0, closed: 0, other: 0 };
  const end = performance.now() + secs * 1000;
  const send = async (body: Uint8Array<ArrayBuffer>) => {
    try {
      const r = await fetch(`${url}/api/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await r.body?.cancel();
      if (r.status === 201) n.accepted++;
      else if (r.status === 413) n.refused++;
      else n.other++;
    } catch {
      n.closed++; // answered 413 and closed while this client was still sending
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < end) {
      await send(max);
      if (oversize) await send(huge);
    }
  }));
  console.log(JSON.stringify(n));
  Deno.exit(0);
}

const dir = await Deno.makeTempDir({ prefix: "sparkq-bench-big-" });
await Deno.mkdir(`${dir}/tmp`, { mode: 0o700 });
const port = freePort();
await ok(dir, ["setup", "--yes", "--name", "bench", "--repo-path", ".", "--port", String(port)]);
await ok(dir, ["session", "create", "bench"]);
await ok(dir, ["stream", "create", "bench", "--session", "bench"]);
const server = sparkq(dir, ["run", "--no-watchers"]).spawn();
const url = `http://127.0.0.1:${port}`;
try {
  for (let i = 0;; i++) {
    try {
      const r = await fetch(`${url}/api/health`);
      await r.body?.cancel();
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (i > 200) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = server.pid;
  const idleRss = await rssMiB(pid);
  let idleDone = false;
  setTimeout(() => idleDone = true, 2000);
  const idleHealth = await healthProbe(url, () => idleDone);

  let peakRss = idleRss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, await rssMiB(pid));
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const load = new Deno.Command(DENO, {
    args: [
      "run",
      `--allow-read=${ROOT}/deno.json`,
      "--allow-net=127.0.0.1",
      import.meta.filename!,
      "--load",
      url,
      String(SECONDS),
      OVERSIZE ? "1" : "0",
    ],
    stdout: "piped",
  }).output();
  let loadDone = false;
  load.then(() => loadDone = true);
  const loadHealth = await healthProbe(url, () => loadDone);
  const { accepted, refused, closed, other } = JSON.parse(
    new TextDecoder().decode((await load).stdout),
  );
  sampling = false;
  await sampler;
  peakRss = Math.max(peakRss, await rssMiB(pid));
  await new Promise((r) => setTimeout(r, 1000));
  const afterRss = await rssMiB(pid);

  const f = (n: number) => n.toFixed(1);
  console.log(
    `Big payloads: ${CLIENTS} clients for ${SECONDS} s, each sending ${
      OVERSIZE ? "in turn a 1 MiB payload (at the limit) and a 45 MiB one" : "1 MiB payloads"
    }; ${accepted} accepted, ${refused} refused with 413, ${closed} closed by the server ` +
      `while still sending, ${other} other.`,
  );
  console.log("");
  console.log("| measure | idle | under load |");
  console.log("| --- | --- | --- |");
  console.log(
    `| server RSS (MiB) | ${f(idleRss)} | peak ${f(peakRss)}, ${f(afterRss)} 1 s after |`,
  );
  console.log(
    `| /api/health p50 / p99 / max (ms) | ${f(pct(idleHealth, 0.5))} / ${
      f(pct(idleHealth, 0.99))
    } / ${f(idleHealth.at(-1)!)} | ${f(pct(loadHealth, 0.5))} / ${f(pct(loadHealth, 0.99))} / ${
      f(loadHealth.at(-1)!)
    } |`,
  );
  console.log(`| /api/health samples | ${idleHealth.length} | ${loadHealth.length} |`);
} finally {
  try {
    server.kill("SIGTERM");
  } catch { /* gone */ }
  await server.output();
  await Deno.remove(dir, { recursive: true });
}
