/**
 * PostgreSQL failures as SparkQ's refusals: an unreachable server, refused credentials,
 * a missing database, a network permission the process lacks, contention to retry —
 * each a clear `Error: …` line with a hint, never a stack trace.
 */
import { diskFull, SparkqError } from "../../core/errors.ts";
import type { DatabaseUrl } from "../../core/database_url.ts";

/** SQLSTATEs a write transaction retries: serialization failure, deadlock, lock timeout. */
export const RETRYABLE = new Set(["40001", "40P01", "55P03"]);

/** System and driver codes of a server that cannot be reached. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** What the connection's thread reports of a failure. */
export interface PgFailure {
  message: string;
  /** SQLSTATE, or a system/driver code. */
  code?: string;
  name?: string;
}

/** The refusal for a failure of the store at `target`. */
export function pgError(target: DatabaseUrl, f: PgFailure): SparkqError {
  const where = target.netHost;
  if (f.name === "NotCapable" || /Requires net access/.test(f.message)) {
    return new SparkqError(
      `SparkQ is not allowed to connect to ${where} (the database URL's host and port)`,
      {
        code: "permission",
        hint: "./sparkq and 'deno task sparkq' allow the host:port of $SPARKQ_DATABASE_URL, " +
          "else of the one-line 'url:' under 'database:' in the sparkq.yml they find " +
          "('deno task' cannot see --config, --database-url, --to or --from: set " +
          "SPARKQ_CONFIG or SPARKQ_DATABASE_URL instead, or use ./sparkq); running deno " +
          `yourself, add --allow-net=${where} (see README: PostgreSQL)`,
      },
    );
  }
  if (f.code && UNREACHABLE.has(f.code)) {
    return new SparkqError(
      `cannot reach the PostgreSQL server at ${where} (${
        f.code === "CONNECT_TIMEOUT" ? "no answer within 5 s" : f.code
      })`,
      {
        code: "internal",
        status: 503,
        hint: "start the server, or fix database.url (SPARKQ_DATABASE_URL overrides it)",
      },
    );
  }
  if (f.code === "28P01" || f.code === "28000") {
    return new SparkqError(
      `PostgreSQL at ${where} refused user "${target.user}" (${f.message})`,
      { code: "config", hint: "check the user and password in database.url" },
    );
  }
  if (f.code === "3D000") {
    return new SparkqError(`there is no database "${target.database}" on ${where}`, {
      code: "config",
      hint:
        `create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}), ` +
        "or fix database.url",
    });
  }
  if (f.code && RETRYABLE.has(f.code)) {
    return new SparkqError(`the database ${target.redacted} is busy (${f.message})`, {
      code: "locked",
      status: 503,
      hint: "another SparkQ write held the rows this one needed; try again",
    });
  }
  if (f.code === "53100") return diskFull(target.redacted);
  return new SparkqError(
    `PostgreSQL (${where}) failed: ${f.message}${f.code ? ` (SQLSTATE ${f.code})` : ""}`,
    { code: "internal" },
  );
}
