/**
 * `sparkq mcp` over stdio: stdout carries the protocol alone, logs go to stderr, and the
 * server ends when the client closes stdin (or on SIGINT/SIGTERM). Waiting claims give
 * up when it ends.
 */
import process from "node:process";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Project } from "../engine/project.ts";
import { overview } from "../engine/status.ts";
import { listStreamsBrief } from "../engine/streams.ts";
import { serverState } from "../server/state.ts";
import { createMcpServer } from "./server.ts";

/** How `sparkq mcp` was started. */
export interface StdioOptions {
  /** `--stream S`: the stream a call without `stream` means. */
  stream?: string;
  /** The folder relative file paths in calls resolve against (the caller's). */
  cwd: string;
}

const encoder = new TextEncoder();

/** Logs one line to stderr (never stdout: it carries the protocol). */
function log(msg: string): void {
  Deno.stderr.writeSync(encoder.encode(`sparkq mcp: ${msg}\n`));
}

/** Serves MCP on stdin/stdout until the client goes away; returns the exit code. */
export async function serveStdio(p: Project, options: StdioOptions): Promise<number> {
  // Stdout carries the protocol alone: anything a library logs goes to stderr.
  console.log = console.info = console.debug = console.error;
  const closing = new AbortController();
  const mcp = createMcpServer({
    project: () => p,
    defaultStream: options.stream,
    cwd: options.cwd,
    closing: closing.signal,
    status: async () => ({
      server: await serverState(p.loaded),
      ...overview(p),
      config: p.loaded.path,
      database: p.db.path,
    }),
  }, log);
  if (options.stream !== undefined && !streamExists(p, options.stream)) {
    log(
      `warning: no stream named '${options.stream}' yet (--stream); calls without a stream use it`,
    );
  }
  const ended = Promise.withResolvers<void>();
  const transport = new StdioServerTransport();
  transport.onclose = () => ended.resolve();
  const stop = () => ended.resolve();
  // A client that stopped reading: nothing more can be answered (EPIPE is not a crash).
  let inFlight: ReturnType<typeof countRequests> | undefined;
  const gone = () => {
    inFlight?.release();
    stop();
  };
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdout.on("error", gone);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, stop);
  try {
    await mcp.connect(transport);
    inFlight = countRequests(transport);
    await ended.promise;
    // The client is gone or asked us to stop: waiting claims give up (answering
    // {"task": null}), and answers already being worked on are still written.
    closing.abort();
    await inFlight.drained(DRAIN_MS);
    return 0;
  } finally {
    closing.abort();
    for (const sig of signals) Deno.removeSignalListener(sig, stop);
    process.stdin.off("end", stop);
    process.stdin.off("close", stop);
    await mcp.close().catch(() => {});
    process.stdout.off("error", gone);
    process.stdout.on("error", () => {}); // a write still queued may fail after this
    p.db.close();
  }
}

/** How long the end of stdin waits for answers still being worked on, in ms. */
const DRAIN_MS = 5000;

/** Counts requests received and not yet answered on a transport. */
function countRequests(
  t: StdioServerTransport,
): { drained(maxMs: number): Promise<void>; release(): void } {
  let pending = 0;
  let released = false;
  let idle: (() => void) | undefined;
  const onmessage = t.onmessage!;
  t.onmessage = (m) => {
    if ("id" in m && "method" in m) pending++;
    onmessage(m);
  };
  const send = t.send.bind(t);
  t.send = async (m) => {
    await send(m);
    if ("id" in m && !("method" in m) && --pending <= 0) idle?.();
  };
  return {
    release() {
      released = true;
      idle?.();
    },
    async drained(maxMs) {
      if (pending <= 0 || released) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        idle = resolve;
        timer = setTimeout(resolve, maxMs);
      });
      clearTimeout(timer);
    },
  };
}

function streamExists(p: Project, name: string): boolean {
  return listStreamsBrief(p).some((s) => s.name === name);
}
