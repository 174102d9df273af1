/**
 * An exact cache of GET answers. What a read answers depends on three things only:
 * the database (its change marker: `data_version` for other connections' commits,
 * `total_changes()` for this one's), the loaded config and script index (a generation
 * bumped on reload), and the clock — and the clock matters only when a running task
 * crosses its stale or auto-fail deadline (`nextTimeChange`). An answer is reused while
 * all three are unchanged, so it is always what a fresh read would return; before the
 * next deadline no task can be dead, so skipping the auto-fail pass changes nothing.
 */
import { nextTimeChange } from "../engine/autofail.ts";
import type { EngineContext } from "../engine/context.ts";
import { changeMarker } from "../storage/maintenance.ts";

interface Entry {
  marker: string;
  validUntil: number;
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** How many distinct URLs are kept (dropped all at once past this). */
const MAX_ENTRIES = 256;

/** The cache of one server. */
export class ReadCache {
  #ctx: () => EngineContext;
  #entries = new Map<string, Entry>();
  #generation = 0;
  hits = 0;
  misses = 0;

  /** `ctx` gives the current engine context (it changes on reload). */
  constructor(ctx: () => EngineContext) {
    this.#ctx = ctx;
  }

  /** Forgets everything (config or script index reloaded). */
  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** The state a new answer is computed against: read it before running the handler. */
  snapshot(): { marker: string; validUntil: number } {
    const ctx = this.#ctx();
    return { marker: this.#marker(), validUntil: nextTimeChange(ctx) };
  }

  /** A cached answer for `key` that is still exact, or undefined. */
  lookup(key: string): Response | undefined {
    const e = this.#entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    if (Date.now() >= e.validUntil || this.#marker() !== e.marker) {
      this.#entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return new Response(e.body.slice(), { status: e.status, headers: e.headers });
  }

  /**
   * Keeps `res` for `key` if the database did not change while it was computed
   * (the handler may itself have auto-failed a task). Returns the answer to send.
   */
  async store(
    key: string,
    before: { marker: string; validUntil: number },
    res: Response,
  ): Promise<Response> {
    if (res.status !== 200 || !res.body || this.#marker() !== before.marker) return res;
    const body = new Uint8Array(await res.arrayBuffer());
    const headers = [...res.headers.entries()];
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, {
      marker: before.marker,
      validUntil: before.validUntil,
      status: 200,
      headers,
      body,
    });
    return new Response(body.slice(), { status: res.status, headers });
  }

  #marker(): string {
    return `${this.#generation}:${changeMarker(this.#ctx().db)}`;
  }
}
