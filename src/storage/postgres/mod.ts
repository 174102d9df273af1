/**
 * The PostgreSQL store's cold entry: loaded only when a database URL is configured, so
 * SQLite commands never read it (nor the driver, which lives in ./worker.ts).
 */
import { SparkqError } from "../../core/errors.ts";
import type { DatabaseUrl } from "../../core/database_url.ts";
import { PgDb } from "./db.ts";
import { pgError } from "./errors.ts";
import { APPLICATION, PG_MIGRATIONS, PG_SCHEMA_VERSION } from "./schema.ts";

export { PgDb };

/** Options of `openPostgres`. */
export interface PgOpenOptions {
  /** Create SparkQ's tables in an empty database (only `setup` and `db copy` do). */
  create?: boolean;
}

/**
 * Connects to the database at `target` and checks it is SparkQ's, at a schema version
 * this SparkQ knows (migrating an older one). Refuses, with a clear error, a network
 * permission the process lacks, a server it cannot reach, refused credentials, a
 * database of another application, a newer schema, and (without `create`) an empty one.
 */
export function openPostgres(target: DatabaseUrl, options: PgOpenOptions = {}): PgDb {
  if (Deno.permissions.querySync({ name: "net", host: target.netHost }).state !== "granted") {
    throw pgError(target, { message: "Requires net access", name: "NotCapable" });
  }
  const db = new PgDb(target);
  try {
    prepare(db, options.create ?? false);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function prepare(db: PgDb, create: boolean): void {
  const where = db.path;
  const encoding = db.get<{ e: string }>("SELECT current_setting('server_encoding') AS e")!.e;
  if (encoding !== "UTF8") {
    throw new SparkqError(
      `the database ${where} is encoded ${encoding}: SparkQ needs UTF8 (task outputs are measured in UTF-8 bytes)`,
      { code: "config", hint: "create the database with ENCODING 'UTF8' (createdb -E UTF8 …)" },
    );
  }
  const state = db.get<{ meta: boolean; tables: number }>(
    `SELECT to_regclass('sparkq_meta') IS NOT NULL AS meta,
            (SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()) AS tables`,
  )!;
  if (!state.meta) {
    if (state.tables > 0) {
      throw new SparkqError(
        `the database ${where} holds ${state.tables} table(s) of another application (no sparkq_meta table)`,
        {
          code: "config",
          hint: "SparkQ needs an empty database or one of its own: create one (createdb) " +
            "and point database.url at it",
        },
      );
    }
    if (!create) {
      throw new SparkqError(`the database ${where} has no SparkQ tables yet`, {
        code: "config",
        hint: "run 'sparkq setup' to create them (your sparkq.yml is kept)",
      });
    }
  }
  db.write(() => {
    const meta = readMeta(db);
    if (meta.application !== undefined && meta.application !== APPLICATION) {
      throw new SparkqError(
        `the database ${where} belongs to another application ("${meta.application}")`,
        { code: "config", hint: "point database.url at a database of SparkQ's own" },
      );
    }
    const version = Number(meta.schema_version ?? 0);
    if (version > PG_SCHEMA_VERSION) {
      throw new SparkqError(
        `the database ${where} has schema version ${version}, newer than this SparkQ understands (${PG_SCHEMA_VERSION})`,
        { code: "config", hint: "upgrade SparkQ on this machine, or point database.url elsewhere" },
      );
    }
    if (version === PG_SCHEMA_VERSION) return;
    for (let v = version; v < PG_SCHEMA_VERSION; v++) db.exec(PG_MIGRATIONS[v]);
    db.run(
      `INSERT INTO sparkq_meta (key, value) VALUES ('schema_version', ?)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      String(PG_SCHEMA_VERSION),
    );
  });
}

function readMeta(db: PgDb): Record<string, string> {
  if (!db.get<{ meta: boolean }>("SELECT to_regclass('sparkq_meta') IS NOT NULL AS meta")!.meta) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const r of db.all<{ key: string; value: string }>("SELECT key, value FROM sparkq_meta")) {
    out[r.key] = r.value;
  }
  return out;
}
