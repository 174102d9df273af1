/** `sparkq enqueue <tool> <payload-json> --stream S [--timeout N] [--json]`. */
import { openProject } from "../cli/context.ts";
import { line, printJson } from "../platform/terminal.ts";
import { readStdin } from "../cli/read_input.ts";
import type { Inv } from "../cli/table.ts";
import { enqueue as enqueueTask } from "../engine/queue.ts";
import { parseJsonObject } from "../engine/validate.ts";

/** Queues a task; prints its ID alone (so `id=$(sparkq enqueue …)` works), or the task. */
export async function enqueue(inv: Inv<"enqueue">): Promise<number> {
  const { payload: raw, tool } = inv.args;
  const payload = parseJsonObject(raw === "-" ? await readStdin() : raw, "payload");
  const p = await openProject(inv);
  const task = await enqueueTask(p, {
    stream: inv.flags.stream,
    tool,
    payload,
    timeout: inv.flags.timeout,
  });
  if (inv.flags.json) printJson(task);
  else line(task.id);
  return 0;
}
