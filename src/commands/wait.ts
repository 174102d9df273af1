/**
 * `sparkq wait --stream S [--timeout SECONDS]`: blocks until the stream has a
 * claimable task, claims it and prints it exactly as `claim` does; prints nothing and
 * exits 0 at the timeout. Polls in-process (a cheap SELECT every 100 ms) and only
 * opens a write transaction when a task is there.
 */
import { openProject } from "../cli/context.ts";
import { int, required } from "../cli/flags.ts";
import { printJson } from "../cli/output.ts";
import type { Invocation } from "../cli/spec.ts";
import { claim, peek } from "../engine/queue.ts";
import { requireStream } from "../engine/streams.ts";
import { POLL_MS } from "../watcher/poll.ts";

const ACTIVE = "its tasks are never claimed";

/** Waits for, claims and prints the stream's next task. */
export async function wait(inv: Invocation): Promise<number> {
  const stream = required(inv, "stream", "usage: sparkq wait --stream S [--timeout SECONDS]");
  const timeout = int(inv, "timeout"); // the parser takes positive whole numbers only
  const p = await openProject(inv);
  const deadline = timeout === undefined ? Infinity : Date.now() + timeout * 1000;
  for (;;) {
    requireStream(p, stream, { active: ACTIVE });
    if (peek(p, stream)) {
      const task = claim(p, stream);
      if (task) {
        printJson(task);
        return 0;
      }
      continue; // another worker took it first: look again at once
    }
    const left = deadline - Date.now();
    if (left <= 0) return 0;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
  }
}
