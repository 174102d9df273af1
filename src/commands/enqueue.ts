/** `sparkq enqueue <tool> <payload-json> --stream S [--timeout N] [--json]`. */
import { openProject } from "../cli/context.ts";
import { bool, int, required } from "../cli/flags.ts";
import { line, printJson } from "../platform/terminal.ts";
import { readStdin } from "../cli/read_input.ts";
import type { Invocation } from "../cli/spec.ts";
import { enqueue as enqueueTask } from "../engine/queue.ts";
import { parseJsonObject } from "../engine/validate.ts";

/** Queues a task; prints its ID alone (so `id=$(sparkq enqueue …)` works), or the task. */
export async function enqueue(inv: Invocation): Promise<number> {
  const stream = required(
    inv,
    "stream",
    "usage: sparkq enqueue <tool> <payload-json> --stream S [--timeout N] [--json]",
  );
  const raw = inv.args.payload!;
  const payload = parseJsonObject(raw === "-" ? await readStdin() : raw, "payload");
  const p = await openProject(inv);
  const task = enqueueTask(p, {
    stream,
    tool: inv.args.tool!,
    payload,
    timeout: int(inv, "timeout"),
  });
  if (bool(inv, "json")) printJson(task);
  else line(task.id);
  return 0;
}
