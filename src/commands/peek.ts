/** `sparkq peek --stream S`: the next queued task as one line of JSON, or nothing. */
import { openProject } from "../cli/context.ts";
import { required } from "../cli/flags.ts";
import { line } from "../platform/terminal.ts";
import type { Invocation } from "../cli/spec.ts";
import { peek as peekTask } from "../engine/queue.ts";

/** Prints the stream's next queued task (compact JSON, one line) without claiming it. */
export async function peek(inv: Invocation): Promise<number> {
  const stream = required(inv, "stream", "usage: sparkq peek --stream S");
  const p = await openProject(inv);
  const task = peekTask(p, stream);
  if (task) line(JSON.stringify(task));
  return 0;
}
