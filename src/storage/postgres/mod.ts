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
  const state = db.get<{ encoding: string; meta: boolean; tables: number }>(
    `SELECT current_setting('server_encoding') AS encoding,
            to_regclass('sparkq_meta') IS NOT NULL AS meta,
            (SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()) AS tables`,
  )!;
  if (state.encoding !== "UTF8") {
    throw new SparkqError(
      `the database ${where} is encoded ${state.encoding}: SparkQ needs UTF8 (task outputs are measured in UTF-8 bytes)`,
      { code: "config", hint: "create the database with ENCODING 'UTF8' (createdb -E UTF8 …)" },
    );
  }
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
  // The usual case, a current schema, costs one more read and no write transaction.
  if (state.meta && checkMeta(db, readMeta(db)) === PG_SCHEMA_VERSION) return;
  db.write(() => {
    const version = checkMeta(db, state.meta || hasMeta(db) ? readMeta(db) : {});
    if (version === PG_SCHEMA_VERSION) return; // another process migrated it meanwhile
    for (let v = version; v < PG_SCHEMA_VERSION; v++) db.exec(PG_MIGRATIONS[v]);
    db.run(
      `INSERT INTO sparkq_meta (key, value) VALUES ('schema_version', ?)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      String(PG_SCHEMA_VERSION),
    );
  });
}

/** The schema version `meta` records; refuses another application's or a newer schema. */
function checkMeta(db: PgDb, meta: Record<string, string>): number {
  if (meta.application !== undefined && meta.application !== APPLICATION) {
    throw new SparkqError(
      `the database ${db.path} belongs to another application ("${meta.application}")`,
      { code: "config", hint: "point database.url at a database of SparkQ's own" },
    );
  }
  const version = Number(meta.schema_version ?? 0);
  if (version > PG_SCHEMA_VERSION) {
    throw new SparkqError(
      `the database ${db.path} has schema version ${version}, newer than this SparkQ understands (${PG_SCHEMA_VERSION})`,
      { code: "config", hint: "upgrade SparkQ on this machine, or point database.url elsewhere" },
    );
  }
  return version;
}

function hasMeta(db: PgDb): boolean {
  return db.get<{ meta: boolean }>("SELECT to_regclass('sparkq_meta') IS NOT NULL AS meta")!.meta;
}

function readMeta(db: PgDb): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of db.all<{ key: string; value: string }>("SELECT key, value FROM sparkq_meta")) {
    out[r.key] = r.value;
  }
  return out;
}
