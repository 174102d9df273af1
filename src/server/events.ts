/**
 * Live updates for the web UI: a Server-Sent Events feed that says `change` whenever
 * the database changed — by this server or by any CLI process — detected with a cheap
 * marker query polled only while a browser listens.
 */
import type { Db } from "../storage/db.ts";
import { changeMarker } from "../storage/maintenance.ts";

const encoder = new TextEncoder();

/** The SSE feed of database changes. */
export class ChangeFeed {
  #db: Db;
  #intervalMs: number;
  #clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #marker = "";
  #ticks = 0;

  /** Polls `db` every `intervalMs` while at least one client listens. */
  constructor(db: Db, intervalMs = 250) {
    this.#db = db;
    this.#intervalMs = intervalMs;
  }

  /** Number of connected clients. */
  get clients(): number {
    return this.#clients.size;
  }

  /** A `text/event-stream` answer that lasts until the client leaves or the feed closes. */
  response(): Response {
    let self: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        self = controller;
        this.#clients.add(controller);
        controller.enqueue(encoder.encode("retry: 2000\nevent: hello\ndata: {}\n\n"));
        this.#ensureTimer();
      },
      cancel: () => {
        this.#clients.delete(self);
        this.#stopTimerIfIdle();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Checks for a change now (after this server wrote, say). */
  poke(): void {
    if (this.#clients.size === 0) return;
    let marker: string;
    try {
      marker = changeMarker(this.#db);
    } catch {
      return; // a locked or closing database: try again on the next tick
    }
    if (marker !== this.#marker) {
      this.#marker = marker;
      this.#send(`event: change\ndata: ${JSON.stringify(marker)}\n\n`);
    }
  }

  /** Ends every stream and stops polling (server shutdown). */
  close(): void {
    for (const c of this.#clients) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#clients.clear();
    this.#stopTimerIfIdle();
  }

  #send(text: string): void {
    const bytes = encoder.encode(text);
    for (const c of [...this.#clients]) {
      try {
        c.enqueue(bytes);
      } catch {
        this.#clients.delete(c);
      }
    }
  }

  #ensureTimer(): void {
    if (this.#timer !== undefined) return;
    try {
      this.#marker = changeMarker(this.#db);
    } catch { /* checked again on the first tick */ }
    this.#timer = setInterval(() => {
      this.poke();
      // A comment line every ~15 s keeps proxies and idle sockets from closing the stream.
      if (++this.#ticks % Math.max(1, Math.round(15_000 / this.#intervalMs)) === 0) {
        this.#send(": ping\n\n");
      }
    }, this.#intervalMs);
  }

  #stopTimerIfIdle(): void {
    if (this.#clients.size > 0 || this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
