/** `sparkq peek <stream>` (or `--stream S`): the next queued task as one line of JSON, or nothing. */
import { openProject } from "../cli/context.ts";
import { printJsonLine } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { peek as peekTask } from "../engine/queue.ts";

/**
 * Prints the stream's next queued task (compact JSON, one line) without claiming it;
 * `--json` changes nothing (the output is JSON already).
 */
export async function peek(inv: Inv<"peek">): Promise<number> {
  const p = await openProject(inv);
  const task = peekTask(p, inv.flags.stream);
  if (task) printJsonLine(task);
  return 0;
}
