/**
 * MCP benchmark (SPEC §12.2), one run, through the launcher `./sparkq` (rebuilt first):
 *
 * 1. Connect: wall time from spawning `sparkq mcp` to a connected SDK client (the
 *    initialize handshake done), against a bare SDK server that registers nothing
 *    (`McpServer` + `StdioServerTransport`, bundled the same way and run with
 *    `deno run --no-config`): what SparkQ adds to the SDK's own start.
 * 2. Round trips: p50/p99 of `sparkq_claim` + `sparkq_complete` over stdio, timed by
 *    the client after the connect (goal: p50 ≤ 5 ms).
 * 3. Wake: a `sparkq_claim` with `wait_seconds` waits; another process runs
 *    `sparkq enqueue`; the time from the enqueue's commit (the task's `created_at`) to
 *    the claim's answer (goal, as `sparkq wait`: p50 ≤ 200 ms), and from the start of
 *    the enqueue process (what a CLI call costs comes on top).
 *
 * Rounds of 1 are interleaved (bare, sparkq, bare, …) so load hits both alike.
 *
 * deno run --allow-read=.,/tmp --allow-write=.,/tmp --allow-env \
 *   "--allow-run=$(deno eval --no-config 'console.log(Deno.execPath())'),sh" \
 *   bench/mcp.ts [--connects N] [--trips N] [--wakes N]
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const LAUNCHER = `${ROOT}/sparkq`;

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(Deno.args[i + 1]);
}
const CONNECTS = option("connects", 20);
const TRIPS = option("trips", 500);
const WAKES = option("wakes", 30);

const dir = await Deno.makeTempDir({ prefix: "sparkq-bench-mcp-" });
const tmp = `${dir}/tmp`;
await Deno.mkdir(tmp);
const PATH = `${DENO.replace(/\/[^/]*$/, "")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
const ENV = { PATH, NO_COLOR: "1", RUST_BACKTRACE: "0", SPARKQ_TMPDIR: tmp };

async function must(cmd: string, args: string[], cwd = dir): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, env: ENV, stdin: "null" }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

const sq = (...args: string[]) => must("sh", [LAUNCHER, ...args]);

/** Spawns a stdio server and connects a client; returns it with the connect time. */
async function connect(command: string, args: string[]): Promise<{ client: Client; ms: number }> {
  const start = performance.now();
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command, args, cwd: dir, env: ENV }));
  return { client, ms: performance.now() - start };
}

// deno-lint-ignore no-explicit-any
async function tool(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const r = await client.callTool({ name, arguments: args }) as CallToolResult;
  if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
  return r.structuredContent;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** A bare SDK server, bundled like dist/sparkq.js, that registers nothing. */
async function bareServer(): Promise<string> {
  const src = `${dir}/bare.ts`;
  await Deno.writeTextFile(
    src,
    `import { McpServer } from "npm:@modelcontextprotocol/sdk@1.32.2/server/mcp.js";\n` +
      `import { StdioServerTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/server/stdio.js";\n` +
      `await new McpServer({ name: "bare", version: "1" }).connect(new StdioServerTransport());\n`,
  );
  await must(DENO, [
    "bundle",
    "--quiet",
    "--minify",
    "--platform=deno",
    "-o",
    `${dir}/bare.js`,
    src,
  ]);
  return `${dir}/bare.js`;
}

console.error("building the bundle and a bare SDK server…");
await must(DENO, ["task", "--quiet", "bundle"], ROOT);
const bare = await bareServer();
await sq("setup", "--yes", "--name", "bench", "--repo-path", ".");
await sq("session", "create", "b");
await sq("stream", "create", "trips", "--session", "b");
await sq("stream", "create", "wake", "--session", "b");

// 1. Connect
console.error(`connect: ${CONNECTS} rounds…`);
const connectSparkq: number[] = [];
const connectBare: number[] = [];
for (let i = 0; i < CONNECTS + 2; i++) {
  const b = await connect(DENO, ["run", "--no-config", "--no-lock", bare]);
  await b.client.close();
  const s = await connect("sh", [LAUNCHER, "mcp"]);
  await s.client.close();
  if (i >= 2) { // two warm-up rounds
    connectBare.push(b.ms);
    connectSparkq.push(s.ms);
  }
}

// 2. Round trips
console.error(`round trips: ${TRIPS}…`);
const { client } = await connect("sh", [LAUNCHER, "mcp", "--stream", "trips"]);
for (let i = 0; i < TRIPS + 20; i++) {
  await tool(client, "sparkq_enqueue", { tool: "run-bash", payload: { i } });
}
const trips: number[] = [];
for (let i = 0; i < TRIPS + 20; i++) {
  const start = performance.now();
  const { task } = await tool(client, "sparkq_claim", {});
  await tool(client, "sparkq_complete", { id: task.id, summary: "ok" });
  if (i >= 20) trips.push(performance.now() - start);
}

// 3. Wake
console.error(`wake: ${WAKES} rounds…`);
const fromCommit: number[] = [];
const fromStart: number[] = [];
for (let i = 0; i < WAKES; i++) {
  const waiting = tool(client, "sparkq_claim", { stream: "wake", wait_seconds: 60 });
  let answered = 0;
  waiting.then(() => answered = Date.now());
  await new Promise((r) => setTimeout(r, 300));
  const start = Date.now();
  await sq("enqueue", "run-bash", '{"command":"true"}', "--stream", "wake");
  const { task } = await waiting;
  // The enqueue committed at the task's created_at (same clock, millisecond precision).
  fromCommit.push(answered - Date.parse(task.created_at));
  fromStart.push(answered - start);
  await tool(client, "sparkq_complete", { id: task.id, summary: "ok" });
}
await client.close();
await Deno.remove(dir, { recursive: true });

const cpu = await Deno.readTextFile("/proc/cpuinfo").then(
  (t) => t.match(/model name\s*:\s*(.*)/)?.[1],
  () => undefined,
);
console.log(`## MCP

Measured ${new Date().toISOString().slice(0, 10)} by \`bench/mcp.ts\` on ${
  cpu ?? "this machine"
} (${navigator.hardwareConcurrency} cores), Deno ${Deno.version.deno}, through the launcher.

| what | p50 | p99 |
|---|---|---|
| spawn \`sparkq mcp\` → connected client (${CONNECTS} rounds) | ${ms(pct(connectSparkq, 50))} | ${
  ms(pct(connectSparkq, 99))
} |
| spawn a bare SDK server → connected client (same rounds) | ${ms(pct(connectBare, 50))} | ${
  ms(pct(connectBare, 99))
} |
| \`sparkq_claim\` + \`sparkq_complete\` over stdio (${TRIPS} tasks) | ${ms(pct(trips, 50))} | ${
  ms(pct(trips, 99))
} |
| wake: enqueue committed (another process) → waiting \`sparkq_claim\` answers (${WAKES} rounds) | ${
  ms(pct(fromCommit, 50))
} | ${ms(pct(fromCommit, 99))} |
| wake, from the start of the enqueue process | ${ms(pct(fromStart, 50))} | ${
  ms(pct(fromStart, 99))
} |

Goals: round trip p50 ≤ 5 ms; wake p50 ≤ 200 ms.`);
