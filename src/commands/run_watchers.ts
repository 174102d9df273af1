/**
 * The watchers `sparkq run` starts, inside the server process: every active stream
 * of `--session S`, or on a terminal the stream the user picks. Each holds its lock
 * with kind `run`, so `sparkq stop --stream S` stops just that one (by removing the
 * lock, which the watcher notices within one poll) and leaves the server running.
 */
import type { Project } from "../engine/project.ts";
import { line } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { requireSession } from "../engine/sessions.ts";
import { listStreams } from "../engine/streams.ts";
import { isSparkqError } from "../core/errors.ts";
import { pickStream } from "./pick_streams.ts";
import { StreamWatcher } from "../watcher/watcher.ts";

/** The watchers of one `sparkq run`. */
export interface RunWatchers {
  /** Stops every watcher still running (their locks are removed). */
  stop(): Promise<void>;
}

/**
 * Starts the watchers for `sparkq run`: all active streams of `--session`, else an
 * interactive pick on a terminal, else none (with a note). A stream that already has
 * a live watcher elsewhere is skipped with a note. An unknown session is an error.
 */
export async function startWatchersForRun(p: Project, inv: Inv<"run">): Promise<RunWatchers> {
  const names = chooseStreams(p, inv);
  const watchers: StreamWatcher[] = [];
  for (const name of names) {
    try {
      const w = await StreamWatcher.start({
        ctx: p,
        stream: name,
        kind: "run",
        log: (m) => line(`watcher ${name}: ${m}`),
      });
      watchers.push(w);
      line(`Watching stream '${name}': worker flag ${w.files.done}, FIFO ${w.files.fifo}`);
      w.stopped.then((reason) => {
        if (reason !== "server stopping") line(`watcher ${name} stopped: ${reason}`);
      });
    } catch (e) {
      if (!isSparkqError(e)) throw e;
      line(`Not watching '${name}': ${e.message}`);
    }
  }
  return {
    stop() {
      for (const w of watchers) w.stop("server stopping");
      return Promise.resolve();
    },
  };
}

function chooseStreams(p: Project, inv: Inv<"run">): string[] {
  if (inv.flags["no-watchers"]) return [];
  const session = inv.flags.session;
  if (session !== undefined) {
    requireSession(p, session);
    const streams = listStreams(p, { session, status: "active" });
    if (streams.length === 0) line(`Session '${session}' has no active stream: no watchers.`);
    return streams.map((s) => s.name);
  }
  if (Deno.stdin.isTerminal()) {
    const picked = pickStream(p);
    return picked ? [picked.name] : [];
  }
  line(
    "No --session and no terminal to ask on: no watchers started " +
      "(use 'sparkq run --session NAME', or 'sparkq watch STREAM' per stream).",
  );
  return [];
}
