/**
 * `sparkq heartbeat <id> [--note TEXT] [--json]`: tell SparkQ a running task is still
 * being worked on (SPEC §12.1). Prints one JSON line: the task's ID, the heartbeat's
 * time and the new stale and auto-fail deadlines. `--json` is accepted (it is JSON).
 */
import { openProject } from "../cli/context.ts";
import { line } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { heartbeat as beat } from "../engine/heartbeat.ts";

/** Records a heartbeat (with an optional progress note) and prints its deadlines. */
export async function heartbeat(inv: Inv<"heartbeat">): Promise<number> {
  const p = await openProject(inv);
  line(JSON.stringify(beat(p, inv.args.id, { note: inv.flags.note })));
  return 0;
}
