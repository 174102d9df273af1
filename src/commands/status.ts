/** `sparkq status`: the server, then sessions and streams with their task counts. */
import { openProject } from "../cli/context.ts";
import { c, countCells, lifecycleCell, line, printJson, table } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { overview } from "../engine/status.ts";
import { serverState } from "../server/state.ts";
import { checkIntegrity } from "../storage/db.ts";

/** `status [--json]`. */
export async function status(inv: Inv<"status">): Promise<number> {
  const p = await openProject(inv);
  checkIntegrity(p.db); // a damaged file is refused here, not discovered mid-write
  const [server, view] = [await serverState(p.loaded), overview(p)];
  if (inv.flags.json) {
    printJson({ server, ...view, config: p.loaded.path, database: p.db.path });
    return 0;
  }
  line(`${c.bold("SparkQ")} — ${view.project?.name ?? "(no project)"}  ${c.dim(p.loaded.path)}`);
  line(
    server.running
      ? `Server: ${c.green("running")} at ${server.url} (PID ${server.pid})`
      : `Server: ${c.dim(server.note ?? "not running")} — start it with 'sparkq run'`,
  );
  const active = view.sessions.filter((s) => s.status === "active");
  line(`Sessions: ${view.sessions.length} (${active.length} active)`);
  line("");
  if (view.streams.length === 0) {
    line("No streams yet.");
    return 0;
  }
  line(table(
    ["STREAM", "SESSION", "STATUS", "QUEUED", "RUNNING", "STALE", "SUCCEEDED", "FAILED"],
    view.streams.map((s) => [
      s.name,
      s.session_name,
      lifecycleCell(s.status),
      ...countCells(s.counts),
    ]),
  ));
  return 0;
}
