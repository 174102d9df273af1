/**
 * The watcher's FIFO. Deno has no mkfifo, so the system's `mkfifo` makes it
 * (`--allow-run=kill,mkfifo`). Writing never blocks the watcher: the FIFO is opened
 * read-write (O_RDWR on a FIFO never blocks on Linux, reader or not), `wake\n` is
 * 5 bytes (< PIPE_BUF, so a write is all or nothing), and writes are asynchronous:
 * if nobody reads and the pipe is full, that one write waits on a worker thread while
 * the watcher keeps polling, and no second write is started until it finishes.
 */
import { SparkqError } from "../core/errors.ts";

const WAKE = new TextEncoder().encode("wake\n");

/**
 * Makes sure `path` is a FIFO (mode 600) owned by `uid` (the owner of our lock file),
 * creating it when missing. Refuses a non-FIFO or someone else's FIFO at that path.
 */
export async function ensureFifo(path: string, uid: number | null): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let info: Deno.FileInfo | undefined;
    try {
      info = Deno.lstatSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (info) {
      if (!info.isFifo) {
        throw new SparkqError(`${path} exists and is not a FIFO`, {
          code: "permission",
          hint: "remove it, then start the watcher again",
        });
      }
      if (uid !== null && info.uid !== null && info.uid !== uid) {
        throw new SparkqError(`${path} belongs to another user (uid ${info.uid})`, {
          code: "permission",
          hint: "remove it, or set SPARKQ_TMPDIR to a private directory",
        });
      }
      return;
    }
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("mkfifo", {
        args: ["-m", "600", path],
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new SparkqError("the 'mkfifo' program is not installed (coreutils)", {
          code: "internal",
        });
      }
      throw e;
    }
    if (out.success) return;
    // Lost a race with another creator: look again.
    if (attempt === 2) {
      const why = new TextDecoder().decode(out.stderr).trim();
      throw new SparkqError(`could not create the FIFO ${path}: ${why}`, { code: "internal" });
    }
  }
}

/** Writes wake-ups to a FIFO without ever blocking the caller. */
export class FifoWaker {
  #file: Deno.FsFile | undefined;
  #pending = false;

  constructor(readonly path: string) {}

  /** Opens the FIFO read-write: never blocks, with or without a reader. */
  open(): void {
    this.#file = Deno.openSync(this.path, { read: true, write: true });
  }

  /** True while an earlier write is still waiting for room in the pipe. */
  get pending(): boolean {
    return this.#pending;
  }

  /**
   * Queues `wake\n` into the FIFO. Returns false (and writes nothing) when the
   * previous write is still waiting, i.e. the pipe is full and nobody reads it.
   */
  wake(): boolean {
    const file = this.#file;
    if (!file || this.#pending) return false;
    this.#pending = true;
    file.write(WAKE).then(
      () => this.#pending = false,
      () => this.#pending = false,
    );
    return true;
  }

  /**
   * Closes our end. A worker blocked reading the FIFO then sees end-of-file once no
   * other writer holds it, so it learns the watcher is gone.
   */
  close(): void {
    try {
      this.#file?.close();
    } catch { /* closed */ }
    this.#file = undefined;
  }
}
