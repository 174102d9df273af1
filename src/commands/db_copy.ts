/**
 * `sparkq db copy --to URL | --from URL` (cold module "dbcopy", src/core/cold.ts): this
 * project's SQLite file copied into an empty PostgreSQL database, or such a database
 * copied back into the SQLite file, checked row for row (engine/db_copy.ts). sparkq.yml
 * is never changed: the summary says how to switch.
 */
import { configFor } from "../cli/context.ts";
import type { Inv } from "../cli/table.ts";
import { DATABASE_URL_ENV, type LoadedConfig } from "../config/load.ts";
import { loadCold } from "../core/cold.ts";
import { type DatabaseUrl, parseDatabaseUrl } from "../core/database_url.ts";
import { isSparkqError, SparkqError } from "../core/errors.ts";
import { type CopyProgress, copyStore, type CopySummary } from "../engine/db_copy.ts";
import { isAlive } from "../platform/pid.ts";
import { readLock } from "../platform/pid_lock.ts";
import { clearProgress, line, printJson, progress, writeErr } from "../platform/terminal.ts";
import { type Db, openDb } from "../storage/db.ts";
import type * as Postgres from "../storage/postgres/mod.ts";

/** Least time between two progress lines, in ms. */
const PROGRESS_EVERY_MS = 100;

/** Copies, checks, and prints the summary (JSON with `--json`). */
export async function dbCopy(inv: Inv<"db copy">): Promise<number> {
  const toPg = inv.flags.to !== undefined;
  const flag = toPg ? "--to" : "--from";
  const url = parseDatabaseUrl(String(inv.flags.to ?? inv.flags.from).trim(), flag);
  const loaded = await configFor(inv);
  requireNetAccess(url, flag);
  const file = loaded.dbPath;
  const pgName = `the PostgreSQL database ${url.redacted}`;
  const fileName = `the SQLite file ${file}`;
  const stores: Db[] = [];
  const tty = Deno.stderr.isTerminal();
  try {
    let source: Db, target: Db;
    if (toPg) {
      if (loaded.databaseUrl === undefined) await refuseWhileServing(loaded);
      else {
        writeErr(
          `Note: this project stores in PostgreSQL; the copy's source is its SQLite file ${file} (database.path), which it no longer uses.\n`,
        );
      }
      source = remember(stores, openSourceFile(file));
      target = remember(stores, await openPg(url, true, flag));
    } else {
      source = remember(stores, await openPg(url, false, flag));
      target = remember(stores, openDb(file, { create: true }));
    }
    const summary = copyStore(source, target, {
      source: toPg ? fileName : pgName,
      target: toPg ? pgName : fileName,
      notEmptyHint: toPg
        ? "copy into a new, empty database (createdb), or empty this one first"
        : `move ${file} away (or set database.path to a new file) and copy again`,
    }, { onProgress: tty ? progressLine() : undefined });
    if (tty) clearProgress();
    if (inv.flags.json) {
      printJson({
        from: toPg ? { sqlite: file } : { postgres: url.redacted },
        to: toPg ? { postgres: url.redacted } : { sqlite: file },
        rows: summary.rows,
        replaced_projects: summary.replacedProjects,
        verified: true,
      });
    } else {
      report(summary, toPg ? fileName : pgName, toPg ? pgName : fileName);
      for (const l of nextSteps(loaded, url, toPg)) line(l);
    }
    return 0;
  } catch (e) {
    if (tty) clearProgress();
    throw e;
  } finally {
    for (const db of stores) db.close();
  }
}

function remember(stores: Db[], db: Db): Db {
  stores.push(db);
  return db;
}

/** Refuses, naming the flag, a database host this process may not connect to. */
function requireNetAccess(url: DatabaseUrl, flag: string): void {
  const state = Deno.permissions.querySync({ name: "net", host: url.netHost }).state;
  if (state === "granted") return;
  throw new SparkqError(
    `SparkQ is not allowed to connect to ${url.netHost} (the host of ${flag})`,
    {
      code: "permission",
      hint: "run it through ./sparkq, which allows the host of a 'db copy' URL, " +
        `or add --allow-net=127.0.0.1,localhost,${url.netHost} to deno run`,
    },
  );
}

/**
 * Copying the project's own SQLite file while its server runs would leave out whatever
 * the server writes after the copy's snapshot: the copy is refused until it is stopped.
 */
async function refuseWhileServing(loaded: LoadedConfig): Promise<void> {
  const pid = readLock(loaded.lockPath)?.pid;
  if (pid === undefined || !(await isAlive(pid))) return;
  throw new SparkqError(
    `the server of this project is running (PID ${pid}): what it writes after the copy starts would not be in the copy`,
    { code: "server_running", hint: "stop it first ('sparkq stop'), copy, switch, then start it" },
  );
}

function openSourceFile(path: string): Db {
  try {
    if (!Deno.statSync(path).isFile) throw new Deno.errors.NotFound(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return openDb(path); // its own clear error
    throw new SparkqError(`nothing to copy: there is no SQLite database at ${path}`, {
      code: "config",
      hint: "database.path in sparkq.yml names it; 'sparkq setup' creates it",
    });
  }
  return openDb(path);
}

/**
 * Opens the PostgreSQL side. Its refusals speak of database.url; here the URL is the
 * flag's, so their hints say so.
 */
async function openPg(url: DatabaseUrl, create: boolean, flag: string): Promise<Db> {
  const pg = await loadCold<typeof Postgres>("postgres");
  try {
    return pg.openPostgres(url, { create });
  } catch (e) {
    if (!isSparkqError(e)) throw e;
    if (!create && /has no SparkQ tables/.test(e.message)) {
      throw new SparkqError(
        `nothing to copy: the database ${url.redacted} has no SparkQ tables`,
        {
          code: "config",
          hint: `${flag} names the PostgreSQL database a SparkQ project stores in`,
        },
      );
    }
    const hint = e.hint?.replace(` (${DATABASE_URL_ENV} overrides it)`, "")
      .replaceAll("database.url", `the URL of ${flag}`);
    if (hint === e.hint) throw e;
    throw new SparkqError(e.message, { code: e.code, status: e.status, hint });
  }
}

/** A progress reporter that rewrites one stderr line, at most every 100 ms. */
function progressLine(): (p: CopyProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS && p.done < p.total) return;
    last = now;
    const verb = p.phase === "copy" ? "Copying" : "Checking";
    progress(`${verb} ${p.table}… ${count(p.done)} / ${count(p.total)}`);
  };
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function report(summary: CopySummary, from: string, to: string): void {
  line(`Copied ${from} into ${to}:`);
  const width = Math.max(...Object.values(summary.rows).map((n) => count(n).length));
  for (const [table, n] of Object.entries(summary.rows)) {
    line(`  ${table.padEnd(9)} ${count(n).padStart(width)}`);
  }
  line("Verified: every column of every row matches the source; the task counts match the tasks.");
  if (summary.replacedProjects > 0) {
    line("The project row setup had written there was replaced by the source's.");
  }
  line("Writes made after the copy started are not in it.");
}

/** What to run next: sparkq.yml still names the old store. */
function nextSteps(loaded: LoadedConfig, url: DatabaseUrl, toPg: boolean): string[] {
  const fromEnv = Deno.env.get(DATABASE_URL_ENV) ? ` (and unset ${DATABASE_URL_ENV})` : "";
  if (toPg) {
    if (loaded.databaseUrl !== undefined && sameDatabase(loaded.databaseUrl, url)) {
      return ["This project stores in that database already: it uses the copy now."];
    }
    const shown = new URL(url.url).password
      ? `${shellWord(url.redacted)} (with the password)`
      : shellWord(url.url);
    return [
      `sparkq.yml is unchanged. To store in the copy from now on: sparkq setup --database-url ${shown}`,
    ];
  }
  if (loaded.databaseUrl === undefined) {
    return ["This project stores in that file: it uses the copy now."];
  }
  return [
    `sparkq.yml is unchanged: this project still stores in PostgreSQL. To use the file: sparkq setup --database-url ''${fromEnv}`,
  ];
}

/** True when `configured` names the same database (host, port, name) as `url`. */
function sameDatabase(configured: string, url: DatabaseUrl): boolean {
  try {
    const c = parseDatabaseUrl(configured);
    return c.netHost === url.netHost && c.database === url.database;
  } catch {
    return false;
  }
}

/** `text` as one shell word (single-quoted unless it is plain). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
