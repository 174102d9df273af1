/**
 * Throw-away PostgreSQL databases for the tests that need a server: `SPARKQ_TEST_PG`
 * names one (a base URL such as postgres://postgres@127.0.0.1:55432/postgres, whose
 * user may create databases). Without it those tests are ignored. Each test gets a
 * fresh database of its own, made and dropped through the npm `postgres` driver, and
 * reads the rows it checks through the same driver (not through SparkQ's storage).
 */
import postgres from "postgres";

/** The server the PostgreSQL tests use, or undefined (they are then ignored). */
export const PG_BASE: string | undefined = Deno.env.get("SPARKQ_TEST_PG") || undefined;

/** A fresh database on the test server. */
export interface TestDatabase {
  /** Its name. */
  name: string;
  /** Its URL, for `setup --database-url`. */
  url: string;
  /** Runs one statement (`$1`… parameters) and returns the rows. */
  query<T = Record<string, unknown>>(sql: string, ...params: (string | number)[]): Promise<T[]>;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

/** The URL of database `name` on the server of `base`. */
export function databaseUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.href;
}

/** Creates a database named `<prefix>_<random>` on `SPARKQ_TEST_PG`'s server. */
export async function freshDatabase(prefix: string): Promise<TestDatabase> {
  if (!PG_BASE) throw new Error("SPARKQ_TEST_PG is not set");
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(PG_BASE, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(PG_BASE, name);
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    types: { int8: { to: 20, from: [20], parse: Number, serialize: String } },
  });
  return {
    name,
    url,
    query: async <T>(text: string, ...params: (string | number)[]) =>
      [...await sql.unsafe(text, params)] as T[],
    drop: async () => {
      await sql.end();
      const admin = postgres(PG_BASE, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
