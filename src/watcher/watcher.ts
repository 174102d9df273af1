/**
 * The per-stream watcher (SPEC §9). It holds the stream's lock, keeps the FIFO open
 * read-write, and watches in-process: whenever the worker's done flag exists and the
 * stream has a queued task, it removes the flag and writes `wake` to the FIFO. Used
 * by `sparkq watch` (its own process) and by `sparkq run` (inside the server).
 *
 * It looks at the queue when the database is written (an inotify notice on the WAL,
 * see db_changes.ts), when the done flag appears (a `stat` every 250 ms), and once a
 * second regardless. The stream's status and queue (engine `peek`) are read only when
 * the database's change marker moved or the flag is new, so an idle look is one `stat`
 * and one pragma. The lock is re-read every second: removing it (`sparkq stop
 * --stream`) stops a watcher that runs inside the server.
 */
import type { EngineContext } from "../engine/context.ts";
import { peek } from "../engine/queue.ts";
import { requireStream } from "../engine/streams.ts";
import { isSparkqError } from "../core/errors.ts";
import { changeMarker } from "../storage/maintenance.ts";
import { changesOf } from "./db_changes.ts";
import type { ChangeFeed } from "../storage/db.ts";
import { ensureFifo, FifoWaker } from "./fifo.ts";
import { exists, type WatcherFiles, watcherFiles } from "./files.ts";
import { acquireLock, checkForeign, type HeldLock, readLock } from "../platform/pid_lock.ts";
import { SparkqError } from "../core/errors.ts";
import { FLAG_POLL_MS, POLL_MS, SAFETY_MS } from "./poll.ts";

/** How a watcher runs: its own process (`watch`) or inside the server (`run`). */
export type LockKind = "watch" | "run";

/** Options of `StreamWatcher.start`. */
export interface WatcherOptions {
  ctx: EngineContext;
  stream: string;
  /** `watch` for a `sparkq watch` process, `run` inside the server. */
  kind: LockKind;
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
  #lastSafety = performance.now();
  /** The database's change marker at the last look. */
  #marker = "";
  /** True when the queue was checked since the flag appeared and nothing changed since. */
  #flagChecked = false;
  #running = true;
  #lastError = "";
  #changes: ChangeFeed;

  private constructor(
    private readonly opts: WatcherOptions,
    private readonly lock: HeldLock,
    private readonly waker: FifoWaker,
  ) {
    this.files = watcherFiles(opts.stream);
    this.stopped = new Promise((resolve) => this.#resolve = resolve);
    this.#changes = changesOf(opts.ctx.db);
    this.#changes.onChange(() => this.#guarded());
  }

  /**
   * Starts watching an active stream: refuses an unknown or ended stream, refuses
   * when a live process holds the lock (naming its PID), creates the FIFO.
   */
  static async start(opts: WatcherOptions): Promise<StreamWatcher> {
    const files = watcherFiles(opts.stream);
    requireStream(opts.ctx, opts.stream, { active: "there is nothing to watch for" });
    checkForeign(files.done, "done flag");
    const lock = await acquireLock(files.lock, {
      label: opts.kind,
      busy: (holder) => {
        const where = holder.role === "run"
          ? ` (inside the 'sparkq run' server)`
          : holder.pid === Deno.pid
          ? " (this process)"
          : "";
        return new SparkqError(
          `stream '${opts.stream}' already has a watcher: PID ${holder.pid}${where} holds ${files.lock}`,
          {
            code: "duplicate",
            status: 409,
            hint: `stop it with 'sparkq stop --stream ${opts.stream}'`,
          },
        );
      },
    });
    const waker = new FifoWaker(files.fifo);
    try {
      await ensureFifo(files.fifo, Deno.lstatSync(files.lock).uid);
      waker.open();
    } catch (e) {
      lock.release();
      throw e;
    }
    const w = new StreamWatcher(opts, lock, waker);
    w.#guarded();
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

  /**
   * Stops the watcher. Unless another watcher took the lock over, the FIFO is removed
   * first and then closed: a worker blocked reading it gets end-of-file, and one that
   * opens it afterwards fails at once instead of blocking on a FIFO nobody writes to.
   * The lock is removed if it is still ours.
   */
  stop(reason = "stopped"): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#changes.close();
    if (this.lock.owned() || !readLock(this.files.lock)) {
      try {
        Deno.removeSync(this.files.fifo);
      } catch { /* already gone */ }
    }
    this.waker.close();
    this.lock.release();
    this.#resolve(reason);
  }

  #log(message: string): void {
    this.opts.log?.(message);
  }

  #schedule(): void {
    if (!this.#running) return;
    const every = this.#changes.live ? FLAG_POLL_MS : POLL_MS;
    this.#timer = setTimeout(() => {
      if (performance.now() - this.#lastSafety >= SAFETY_MS) {
        this.#lastSafety = performance.now();
        this.#checkLock();
        this.#checkDatabase();
        this.#changes.rearm();
      }
      this.#guarded();
      this.#schedule();
    }, every);
  }

  /** One look, never throwing: a failure is logged (once while it repeats) and retried. */
  #guarded(): void {
    if (!this.#running) return;
    try {
      this.#look();
      this.#lastError = "";
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== this.#lastError) this.#log(`check failed (will retry): ${msg}`);
      this.#lastError = msg;
    }
  }

  #checkLock(): void {
    if (!this.#running || this.lock.owned()) return;
    const holder = readLock(this.files.lock);
    this.stop(
      holder
        ? `PID ${holder.pid} took over its lock ${this.files.lock}`
        : `its lock ${this.files.lock} was removed ('sparkq stop')`,
    );
  }

  /** Stops the watcher when its database file was deleted or replaced (SPEC §12.4). */
  #checkDatabase(): void {
    if (!this.#running) return;
    try {
      this.opts.ctx.db.checkFile();
    } catch (e) {
      if (!isSparkqError(e)) throw e;
      this.stop(e.message);
    }
  }

  /** Wakes the worker when its flag is set and a task is queued. */
  #look(): void {
    if (!this.#running) return;
    const marker = changeMarker(this.opts.ctx.db);
    const changed = marker !== this.#marker;
    this.#marker = marker;
    if (changed && !this.#streamActive()) return;
    if (!exists(this.files.done)) {
      this.#flagChecked = false;
      return;
    }
    if (this.waker.pending || (this.#flagChecked && !changed)) return;
    this.#flagChecked = true;
    const task = peek(this.opts.ctx, this.opts.stream);
    if (!task) return;
    this.#checkLock(); // a watcher that was just stopped must not wake anyone
    if (!this.#running) return;
    try {
      Deno.removeSync(this.files.done);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return; // someone else took the flag
      throw e;
    }
    this.#flagChecked = false;
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
      if (!isSparkqError(e)) throw e;
      this.stop(
        e.status === 404
          ? `stream '${this.opts.stream}' no longer exists`
          : `stream '${this.opts.stream}' was ended`,
      );
      return false;
    }
  }
}
