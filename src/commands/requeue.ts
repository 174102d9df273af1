/** `sparkq requeue <id> [--stream S] [--json]`: queue a copy of a failed task. */
import { openProject } from "../cli/context.ts";
import { line, printJson } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { requeue as requeueTask } from "../engine/queue.ts";

/** Queues a copy of a failed task; prints the new ID alone, or the new task with --json. */
export async function requeue(inv: Inv<"requeue">): Promise<number> {
  const p = await openProject(inv);
  const task = requeueTask(p, inv.args.id, { stream: inv.flags.stream });
  if (inv.flags.json) printJson(task);
  else line(task.id);
  return 0;
}
