/** `sparkq claim --stream S`: claim the stream's oldest queued task and print it. */
import { openProject } from "../cli/context.ts";
import { str } from "../cli/flags.ts";
import { printJson } from "../platform/terminal.ts";
import type { Invocation } from "../cli/spec.ts";
import { claim as claimTask, streamsWithQueued } from "../engine/queue.ts";
import { SparkqError } from "../core/errors.ts";

const USAGE = "usage: sparkq claim --stream S";

/**
 * Claims the next task and prints it as JSON with its stream; prints nothing when the
 * stream is empty. Without --stream it lists the streams that have work and claims nothing.
 */
export async function claim(inv: Invocation): Promise<number> {
  const stream = str(inv, "stream");
  const p = await openProject(inv);
  if (stream === undefined || stream === "") {
    const waiting = streamsWithQueued(p);
    const lines = waiting.length
      ? [
        "streams with queued tasks:",
        ...waiting.map((s) => `  ${s.name} (${s.queued} queued)`),
      ]
      : ["no stream has queued tasks"];
    throw new SparkqError("--stream is required", { hint: [...lines, USAGE].join("\n") });
  }
  const task = claimTask(p, stream);
  if (task) printJson(task);
  return 0;
}
