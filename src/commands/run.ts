/**
 * `sparkq run [--session S] [--no-watchers]`: takes the lockfile, starts the server on
 * 127.0.0.1:<server.port>, then the watchers (all streams of --session, or a pick on
 * a terminal), and runs until SIGINT/SIGTERM, when it stops them and removes the
 * lockfile. Cold: reached through loadCold("server").
 */
import { openProject } from "../cli/context.ts";
import { c, line } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";
import { requireSession } from "../engine/sessions.ts";
import { acquireLock } from "../platform/pid_lock.ts";
import { SparkqError } from "../core/errors.ts";
import { type RunningServer, startServer } from "../server/serve.ts";
import { type RunWatchers, startWatchersForRun } from "./run_watchers.ts";

const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Runs the server until a signal asks it to stop; returns the exit code. */
export async function run(inv: Inv<"run">): Promise<number> {
  const p = await openProject(inv);
  const session = inv.flags.session;
  if (session !== undefined) requireSession(p, session); // refuse before starting anything
  const port = p.config.server.port;
  const lock = await acquireLock(p.loaded.lockPath, {
    busy: (holder) =>
      new SparkqError(
        `the server is already running (PID ${holder.pid}, lockfile ${p.loaded.lockPath})`,
        {
          code: "server_running",
          hint: `it serves http://127.0.0.1:${port}/ — stop it with 'sparkq stop'`,
        },
      ),
  });
  const releaseOnExit = () => lock.release();
  globalThis.addEventListener("unload", releaseOnExit);
  const log = (msg: string) => line(`${c.dim(new Date().toISOString().slice(11, 19))} ${msg}`);
  if (lock.replaced) line(`Note: ${lock.replaced}`);

  let server: RunningServer | undefined;
  let watchers: RunWatchers | undefined;
  const stopped = waitForSignal();
  try {
    server = startServer(p, { port, log });
    line(`${c.green("●")} SparkQ server running at ${c.bold(server.url + "/")}  (PID ${Deno.pid})`);
    line(c.dim(`  project ${p.config.project.name} · database ${p.db.path}`));
    if (server.ctx.index.warnings.length) {
      for (const w of server.ctx.index.warnings) line(`Warning: ${w}`);
    }
    if (!inv.flags["no-watchers"]) watchers = await startWatchersForRun(p, inv);
    line(c.dim("Press Ctrl-C to stop."));
    const sig = await stopped.promise;
    line(`Stopping (${sig})…`);
    return 0;
  } finally {
    stopped.dispose();
    await watchers?.stop().catch(() => {});
    await server?.close().catch(() => {});
    p.db.close();
    lock.release();
    globalThis.removeEventListener("unload", releaseOnExit);
    if (server) line("Server stopped.");
  }
}

/** Resolves with the first of SIGINT, SIGTERM, SIGHUP; `dispose` removes the listeners. */
function waitForSignal(): { promise: Promise<Deno.Signal>; dispose(): void } {
  const listeners: [Deno.Signal, () => void][] = [];
  const promise = new Promise<Deno.Signal>((resolve) => {
    for (const sig of SIGNALS) {
      const h = () => resolve(sig);
      Deno.addSignalListener(sig, h);
      listeners.push([sig, h]);
    }
  });
  return {
    promise,
    dispose() {
      for (const [sig, h] of listeners.splice(0)) Deno.removeSignalListener(sig, h);
    },
  };
}
