/**
 * `sparkq stop [--stream S]`: stops the server and every watcher of this project's
 * streams, or only the watcher of stream S. Tasks are not touched: running ones stay
 * running, queued ones stay queued.
 */
import { openProject } from "../cli/context.ts";
import { line } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { listStreams, requireStream } from "../engine/streams.ts";
import { isSparkqError, SparkqError } from "../core/errors.ts";
import { type StopOutcome, stopServer, stopWatcher, waitForExit } from "../watcher/stop.ts";

/** How long `stop` waits for signalled processes to exit, in ms. */
const EXIT_WAIT_MS = 10_000;

/** Stops what runs and reports each thing it stopped (or that nothing ran). */
export async function stop(inv: Inv<"stop">): Promise<number> {
  const p = await openProject(inv);
  const only = inv.flags.stream;
  const outcomes: StopOutcome[] = [];
  if (only !== undefined) {
    requireStream(p, only);
    outcomes.push(await stopWatcher(only));
  } else {
    try {
      for (const s of listStreams(p)) {
        const o = await stopWatcher(s.name, true);
        if (o.acted || o.refused) outcomes.push(o);
      }
    } catch (e) {
      // A watcher dir SparkQ refuses (not private, or another user's lock in it) must not
      // keep the server running: report it with the rest, and stop the server anyway.
      if (!isSparkqError(e) || e.code !== "permission") throw e;
      outcomes.push({ acted: false, refused: true, message: e.message });
    }
    outcomes.push(await stopServer(p.loaded.lockPath));
  }
  p.db.close();
  const signalled = outcomes.flatMap((o) => o.signalled ? [o.signalled] : []);
  const stuck = await waitForExit(signalled, EXIT_WAIT_MS);
  const acted = outcomes.filter((o) => o.acted);
  const refused = outcomes.filter((o) => o.refused);
  if (acted.length === 0 && refused.length === 0) {
    line(
      only !== undefined
        ? outcomes[0].message
        : "Nothing to stop: the server is not running and no stream has a watcher.",
    );
  } else {
    for (const o of outcomes) if (o.acted) line(o.message);
  }
  if (stuck.length) {
    throw new SparkqError(
      `sent SIGTERM, but PID ${stuck.join(", ")} has not exited after ${EXIT_WAIT_MS / 1000}s`,
      { code: "internal", hint: "check it with 'ps', and 'kill -KILL' it if it hangs" },
    );
  }
  if (acted.length) {
    line("Tasks are untouched: running ones stay running, queued ones stay queued.");
  }
  if (refused.length) {
    throw new SparkqError(refused.map((o) => o.message).join("\n"), {
      code: "permission",
      hint: "SparkQ signals only its own watcher or server, checked with 'ps'",
    });
  }
  return 0;
}
