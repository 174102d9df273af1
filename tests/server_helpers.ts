/**
 * Helpers of the server tests: a real `sparkq run --no-watchers` subprocess (same
 * permission flags as `deno task sparkq`) on a free loopback port, JSON requests to
 * it, and raw HTTP for the headers fetch() may not set.
 */
import { freePort, type TempProject, tempProject } from "./helpers.ts";
import { type Spawned, spawnSparkq } from "./support/process.ts";

export { freePort };

/** A server process under test. */
export interface TestServer {
  p: TempProject;
  port: number;
  url: string;
  pid: number;
  child: Deno.ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/**
 * Starts `sparkq run` in a process for project `p` (its sparkq.yml names the port),
 * through the project's launcher if it has one.
 */
export function spawnRun(p: TempProject, args: string[] = ["--no-watchers"]): Spawned {
  return spawnSparkq(["run", ...args], {
    cwd: p.dir,
    env: { SPARKQ_TMPDIR: `${p.dir}/tmp` },
    launcher: p.launcher,
  });
}

/**
 * Makes a project (or uses `p`) whose sparkq.yml names a free port, starts the
 * server and waits for /api/health. Retries on another port if the port was taken.
 */
export async function startServer(
  opts: { p?: TempProject; setupFlags?: string[] } = {},
): Promise<TestServer> {
  const p = opts.p ?? await tempProject(opts.setupFlags ?? []);
  for (let attempt = 0;; attempt++) {
    const port = freePort();
    await p.ok(["setup", "--yes", "--port", String(port)]);
    const proc = spawnRun(p);
    const url = `http://127.0.0.1:${port}`;
    const up = await waitForHealth(url, proc.child);
    if (up) {
      return {
        p,
        port,
        url,
        pid: proc.child.pid,
        child: proc.child,
        output: proc.output,
        stop: proc.stop,
      };
    }
    const code = await proc.status();
    if (attempt >= 2 || !/already in use/.test(proc.output())) {
      throw new Error(`server did not start (exit ${code}):\n${proc.output()}`);
    }
  }
}

/** Polls /api/health until it answers (true) or the process exits or 20 s pass (false). */
export async function waitForHealth(url: string, child: Deno.ChildProcess): Promise<boolean> {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.ok) return true;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }
  return false;
}

/** An API answer. */
export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

/** Sends a request with a JSON body (unless `raw` is given) and parses a JSON answer. */
export async function api(
  s: { url: string },
  method: string,
  path: string,
  body?: unknown,
  init: { headers?: Record<string, string>; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let payload: string | undefined = init.raw;
  if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
  if (method !== "GET" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  const res = await fetch(`${s.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Sends raw bytes over TCP (for a Host header fetch() refuses to set); returns the answer. */
export async function rawHttp(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    let out = "";
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      out += new TextDecoder().decode(buf.subarray(0, n));
      if (/\r\n\r\n/.test(out)) {
        const m = /content-length: (\d+)/i.exec(out);
        const bodyStart = out.indexOf("\r\n\r\n") + 4;
        if (m && out.length - bodyStart >= Number(m[1])) break;
      }
    }
    return out;
  } finally {
    conn.close();
  }
}
