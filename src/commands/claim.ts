/** `sparkq claim <stream>` (or `--stream S`): claim the stream's oldest queued task and print it. */
import { openProject } from "../cli/context.ts";
import { printJsonText } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { claim as claimTask, streamsWithQueued } from "../engine/queue.ts";
import { SparkqError } from "../core/errors.ts";

/**
 * Claims the next task and prints it as JSON with its stream (`--json` changes
 * nothing: the output is JSON already); prints nothing when the stream is empty.
 * Without a stream it lists the streams that have work and claims nothing.
 */
export async function claim(inv: Inv<"claim">): Promise<number> {
  const stream = inv.flags.stream;
  const p = await openProject(inv);
  if (stream === undefined) {
    const waiting = streamsWithQueued(p);
    const lines = waiting.length
      ? [
        "streams with queued tasks:",
        ...waiting.map((s) => `  ${s.name} (${s.queued} queued)`),
      ]
      : ["no stream has queued tasks"];
    // A usage mistake, but exit 1 as SPEC §7 says: the listing is an answer, not a crash.
    throw new SparkqError("--stream is required", {
      code: "usage",
      exitCode: 1,
      hint: [...lines, inv.usage].join("\n"),
    });
  }
  // Serialised inside the claim: a task that cannot be printed stays queued.
  const claimed = claimTask(p, stream, (t) => JSON.stringify(t, null, 2));
  if (claimed) printJsonText(claimed.out);
  return 0;
}
