/**
 * The per-stream watcher (SPEC §9). It holds the stream's lock, keeps the FIFO open
 * read-write, and polls in-process: whenever the worker's done flag exists and the
 * stream has a queued task, it removes the flag and writes `wake` to the FIFO. Used
 * by `sparkq watch` (its own process) and by `sparkq run` (inside the server).
 *
 * One poll costs a `stat` of the done flag and a read of the lock file; the database
 * is asked (engine `peek`, one SELECT) only while the flag exists, and every couple of
 * seconds for the stream's status.
 */
import type { EngineContext } from "../engine/context.ts";
import { peek } from "../engine/queue.ts";
import { requireStream } from "../engine/streams.ts";
import { SparkqError } from "../errors.ts";
import { ensureFifo, FifoWaker } from "./fifo.ts";
import { exists, type WatcherFiles, watcherFiles } from "./files.ts";
import { acquireLock, type HeldLock, type LockKind, readLock } from "./lock.ts";

import { POLL_MS } from "./poll.ts";

export { POLL_MS };
/** How often the stream's status is checked while the worker is busy, in polls. */
const STATUS_EVERY = 20;

/** Options of `StreamWatcher.start`. */
export interface WatcherOptions {
  ctx: EngineContext;
  stream: string;
  /** `watch` for a `sparkq watch` process, `run` inside the server. */
  kind: LockKind;
  pollMs?: number;
  /** Where progress lines go. */
  log?: (message: string) => void;
}

/** A running watcher of one stream. */
export class StreamWatcher {
  readonly files: WatcherFiles;
  /** Resolves with the reason once the watcher has stopped and released its lock. */
  readonly stopped: Promise<string>;
  /** Wake-ups written so far. */
  wakes = 0;
  #resolve!: (reason: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polls = 0;
  #running = true;

  private constructor(
    private readonly opts: WatcherOptions,
    private readonly lock: HeldLock,
    private readonly waker: FifoWaker,
  ) {
    this.files = watcherFiles(opts.stream);
    this.stopped = new Promise((resolve) => this.#resolve = resolve);
  }

  /**
   * Starts watching an active stream: refuses an unknown or ended stream, refuses
   * when a live process holds the lock (naming its PID), creates the FIFO.
   */
  static async start(opts: WatcherOptions): Promise<StreamWatcher> {
    const files = watcherFiles(opts.stream);
    requireStream(opts.ctx, opts.stream, { active: "there is nothing to watch for" });
    const lock = await acquireLock(files.lock, opts.stream, opts.kind);
    const waker = new FifoWaker(files.fifo);
    try {
      await ensureFifo(files.fifo, Deno.lstatSync(files.lock).uid);
      waker.open();
    } catch (e) {
      lock.release();
      throw e;
    }
    const w = new StreamWatcher(opts, lock, waker);
    w.#schedule();
    return w;
  }

  /** True until the watcher stops. */
  get running(): boolean {
    return this.#running;
  }

  /** True while a wake is waiting for room in a full pipe. */
  get writePending(): boolean {
    return this.waker.pending;
  }

  /** Stops the watcher: closes the FIFO and removes the lock if it is still ours. */
  stop(reason = "stopped"): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.waker.close();
    this.lock.release();
    this.#resolve(reason);
  }

  #log(message: string): void {
    this.opts.log?.(message);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      try {
        this.#poll();
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        this.#log(`poll failed (will retry): ${msg}`);
      }
      this.#schedule();
    }, this.opts.pollMs ?? POLL_MS);
  }

  #poll(): void {
    if (!this.lock.owned()) {
      const holder = readLock(this.files.lock);
      this.stop(
        holder
          ? `PID ${holder.pid} took over its lock ${this.files.lock}`
          : `its lock ${this.files.lock} was removed ('sparkq stop')`,
      );
      return;
    }
    const flag = exists(this.files.done);
    if ((flag || ++this.#polls % STATUS_EVERY === 0) && !this.#streamActive()) return;
    if (!flag || this.waker.pending) return;
    const task = peek(this.opts.ctx, this.opts.stream);
    if (!task) return;
    try {
      Deno.removeSync(this.files.done);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return; // someone else took the flag
      throw e;
    }
    if (this.waker.wake()) {
      this.wakes++;
      this.#log(`woke the worker: ${task.id} (${task.tool_name}) is queued`);
    }
  }

  /** Checks the stream is still active; stops the watcher when it is not. */
  #streamActive(): boolean {
    try {
      requireStream(this.opts.ctx, this.opts.stream, { active: "ended" });
      return true;
    } catch (e) {
      if (!(e instanceof SparkqError)) throw e;
      this.stop(
        e.status === 404
          ? `stream '${this.opts.stream}' no longer exists`
          : `stream '${this.opts.stream}' was ended`,
      );
      return false;
    }
  }
}
