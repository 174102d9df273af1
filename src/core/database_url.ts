/**
 * `database.url` (and `SPARKQ_DATABASE_URL`): a PostgreSQL connection URL. Parsed once
 * here for the store, the messages (never with the password) and the network permission
 * the URL needs (`host:port`), which the launcher derives the same way (scripts/db_net.sh).
 */
import { SparkqError } from "./errors.ts";

/** PostgreSQL's default port. */
export const DEFAULT_PG_PORT = 5432;

/** The parts of a database URL SparkQ uses. */
export interface DatabaseUrl {
  /** The URL as given (it may hold a password: never print it). */
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** The URL without its password, for messages. */
  redacted: string;
  /** What `--allow-net` must name for the store: `host:port`. */
  netHost: string;
}

/**
 * Parses a `postgres://` or `postgresql://` URL given by `from` (a flag such as
 * `--database-url`, or a setting); throws an error naming `from` and what is wrong.
 */
export function parseDatabaseUrl(url: string, from = "database.url"): DatabaseUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(from, `is not a URL`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw bad(from, `must start with postgres:// (got ${u.protocol}//)`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw bad(from, "names no host (postgres://user@HOST:PORT/DATABASE)");
  const port = u.port === "" ? DEFAULT_PG_PORT : Number(u.port);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) {
    throw bad(from, "names no database (postgres://user@host:port/DATABASE)");
  }
  const user = decodeURIComponent(u.username);
  if (user === "") throw bad(from, "names no user (postgres://USER@host:port/database)");
  const shown = new URL(u.href);
  shown.password = "";
  const netHost = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { url, host, port, database, user, redacted: shown.href, netHost };
}

/** A bad flag value is a usage error (exit 2); a bad setting is a config error (exit 1). */
function bad(from: string, why: string): SparkqError {
  return new SparkqError(`${from} ${why}`, {
    code: from.startsWith("--") ? "usage" : "config",
    hint: "write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
  });
}
