/**
 * The PostgreSQL connection's own thread. SparkQ's engine is synchronous (SQLite is),
 * and every npm PostgreSQL driver is asynchronous, so the driver runs here, in a worker,
 * and the main thread blocks on each request (`PgDb` in ./db.ts): it posts a request,
 * then waits on a shared flag; this side runs the query and writes the answer (JSON)
 * into a shared buffer, then raises the flag. One connection serves every request in
 * order, so a transaction is never interleaved with another caller's statements.
 *
 * A second connection, opened on the first `listen` request, LISTENs for SparkQ's change
 * notices and posts each to the main thread as a message.
 */
import postgres from "postgres";

/** The channel SparkQ's triggers notify on (see ./schema.ts). */
const CHANNEL = "sparkq_changes";

/** A request from the main thread. */
type Request =
  | { op: "open"; url: string; ctrl: SharedArrayBuffer; data: SharedArrayBuffer }
  | { op: "query"; sql: string; params: unknown[] }
  | { op: "exec"; sql: string }
  | { op: "listen" }
  | { op: "close" };

/** This thread's side of the channel to the main thread. */
const port = self as unknown as {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(message: unknown): void;
};
let sql: postgres.Sql | undefined;
let ctrl: Int32Array;
let data: SharedArrayBuffer;
const encoder = new TextEncoder();

/** Writes an answer into the shared buffer and wakes the main thread. */
function answer(value: unknown): void {
  let bytes = encoder.encode(JSON.stringify(value));
  if (bytes.length > data.byteLength) {
    const growable = data as SharedArrayBuffer & { grow(n: number): void; maxByteLength: number };
    if (bytes.length > growable.maxByteLength) {
      bytes = encoder.encode(JSON.stringify({
        error: { message: `an answer of ${bytes.length} bytes is too large`, code: "SPARKQ" },
      }));
    } else growable.grow(bytes.length);
  }
  new Uint8Array(data).set(bytes);
  Atomics.store(ctrl, 1, bytes.length);
  Atomics.store(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
}

/** What the main thread needs of an error: its message, SQLSTATE or system code. */
function describe(e: unknown): { message: string; code?: string; name?: string } {
  const err = e as { message?: unknown; code?: unknown; name?: unknown };
  return {
    message: String(err?.message ?? e),
    code: typeof err?.code === "string" ? err.code : undefined,
    name: typeof err?.name === "string" ? err.name : undefined,
  };
}

const asNumber = (x: string) => Number(x);

port.onmessage = async (event: MessageEvent<Request>) => {
  const m = event.data;
  try {
    switch (m.op) {
      case "open":
        ctrl = new Int32Array(m.ctrl);
        data = m.data;
        sql = postgres(m.url, {
          max: 1,
          connect_timeout: 5,
          fetch_types: false, // SparkQ binds no arrays: skip the catalogue query on connect
          idle_timeout: 0,
          onnotice: () => {},
          connection: { application_name: "sparkq" },
          // COUNT(*) is int8 and SUM numeric: both come back as numbers.
          types: {
            int8: { to: 20, from: [20], parse: asNumber, serialize: String },
            numeric: { to: 1700, from: [1700], parse: asNumber, serialize: String },
          },
        });
        await sql.unsafe("SELECT 1");
        answer({ rows: [], count: 0 });
        return;
      case "query": {
        const rows = await sql!.unsafe(m.sql, m.params as postgres.ParameterOrJSON<never>[]);
        answer({ rows: [...rows], count: rows.count ?? 0 });
        return;
      }
      case "exec":
        await sql!.unsafe(m.sql).simple();
        answer({ rows: [], count: 0 });
        return;
      case "listen":
        await sql!.listen(CHANNEL, () => port.postMessage({ notice: true }));
        answer({ rows: [], count: 0 });
        return;
      case "close":
        await sql?.end({ timeout: 1 });
        answer({ rows: [], count: 0 });
        return;
    }
  } catch (e) {
    answer({ error: describe(e) });
  }
};
