/** The cold half of `sparkq reload`: re-read sparkq.yml and the script index, tell the server. */
import { findConfig } from "../config/load.ts";
import { c, line, writeErr } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { ERROR_CODES, SparkqError } from "../core/errors.ts";
import { reloadFromDisk, summarize } from "../server/reload.ts";
import { serverState } from "../server/state.ts";

/** Re-reads tools and the script index, then asks a running server to do the same. */
export async function reloadCommand(inv: Inv<"reload">): Promise<number> {
  const path = findConfig(inv.cwd, inv.flags.config);
  const fresh = await reloadFromDisk(path);
  const s = summarize(fresh);
  for (const w of s.warnings) writeErr(`Warning: ${w}\n`);
  line(`${c.green("✓")} Read ${s.config}: ${s.tools.length} tools (${s.tools.join(", ")})`);
  line(`${c.green("✓")} Script index: ${s.scripts} script${s.scripts === 1 ? "" : "s"}`);
  const server = await serverState(fresh.loaded);
  if (!server.running) {
    line(c.dim(`Server: ${server.note ?? "not running"} (it reads these when it starts)`));
    return 0;
  }
  const res = await fetch(`${server.url}/api/reload`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new SparkqError(
      `the server at ${server.url} refused to reload (${res.status}): ${body.error ?? "no reason"}`,
      { code: ERROR_CODES.includes(body.code) ? body.code : "internal", hint: body.hint },
    );
  }
  line(`${c.green("✓")} Server at ${server.url} (PID ${server.pid}) reloaded`);
  return 0;
}
