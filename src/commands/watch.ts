/**
 * `sparkq watch <stream>`: runs the stream's watcher in this process until SIGTERM or
 * SIGINT (or the stream is ended, or its lock is removed), then removes its lock.
 * `sparkq watch <stream> --paths` prints the stream's lock, FIFO and done flag paths as
 * JSON for scripts, and exits.
 */
import { openProject } from "../cli/context.ts";
import { line } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { StreamWatcher } from "../watcher/watcher.ts";
import { watcherFiles } from "../watcher/files.ts";

const SIGNALS: Deno.Signal[] = ["SIGTERM", "SIGINT"];

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

/** Watches a stream and wakes its worker through the FIFO; see WORKER_PLAYBOOK.md. */
export async function watch(inv: Inv<"watch">): Promise<number> {
  const stream = inv.args.stream;
  if (inv.flags.paths) {
    // For scripts: where this stream's files are (the private dir is made if missing).
    const { lock, fifo, done } = watcherFiles(stream);
    line(JSON.stringify({ lock, fifo, done }));
    return 0;
  }
  const p = await openProject(inv);
  const w = await StreamWatcher.start({
    ctx: p,
    stream,
    kind: "watch",
    log: (m) => line(`[${stamp()}] ${m}`),
  });
  const onSignal = () => w.stop("signal");
  for (const s of SIGNALS) Deno.addSignalListener(s, onSignal);
  line(`Watching stream '${stream}' (PID ${Deno.pid}, lock ${w.files.lock}).`);
  line(
    `Worker: touch ${w.files.done}, then read a line from ${w.files.fifo}; 'wake' = work queued.`,
  );
  const reason = await w.stopped;
  for (const s of SIGNALS) Deno.removeSignalListener(s, onSignal);
  line(reason === "signal" ? "Watcher stopped." : `Watcher stopped: ${reason}.`);
  p.db.close();
  // A wake parked on a full pipe (nobody reads it) would keep the process alive.
  if (w.writePending) Deno.exit(0);
  return 0;
}
