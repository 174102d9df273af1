/**
 * `sparkq setup`: writes sparkq.yml, creates the database and the project row.
 * Interactive on a terminal; `--yes` takes flags and defaults. Re-running uses the
 * current values as defaults and keeps all data. Every value is checked before
 * anything is written.
 */
import { derive, findConfig } from "../config/load.ts";
import { basename, joinPath, resolvePath } from "../config/paths.ts";
import type { Config } from "../config/schema.ts";
import { loadCold } from "../core/cold.ts";
import type * as ConfigCold from "../config/cold.ts";
import { isSparkqError, SparkqError, usageError } from "../core/errors.ts";
import { newId, nowIso } from "../core/ids.ts";
import { openStore } from "../engine/project.ts";
import { parseDatabaseUrl } from "../core/database_url.ts";
import { getProject, insertProject, updateProject } from "../storage/projects.ts";
import { askInt, askList, askText } from "../cli/prompt.ts";
import { c, line, writeErr } from "../platform/terminal.ts";
import type { Inv } from "../cli/table.ts";

/** `setup [--yes] [--name …] [--repo-path …] [--prd-path …] [--script-dir …] [--port …]`. */
export async function setup(inv: Inv<"setup">): Promise<number> {
  const unattended = inv.flags.yes;
  if (!unattended && !Deno.stdin.isTerminal()) {
    throw new SparkqError(
      "setup asks questions, but stdin is not a terminal",
      {
        code: "usage",
        exitCode: 1,
        hint:
          "run it in a terminal, or pass --yes with flags (--name, --repo-path, --prd-path, --script-dir, --port, --*-timeout)",
      },
    );
  }
  const { parseConfig, writeConfig, defaultConfig, checkConfig } = await loadCold<
    typeof ConfigCold
  >("config");
  const path = targetPath(inv);
  const existingText = readIfExists(path);
  let current: Config | undefined;
  if (existingText !== undefined) {
    try {
      current = parseConfig(path, existingText);
    } catch (e) {
      if (!isSparkqError(e)) throw e;
      writeErr(`Warning: ${e.message}\n  setup will rewrite it from defaults and your answers.\n`);
    }
  }
  const defaults = current
    ? structuredClone(current)
    : defaultConfig(basename(resolvePath("/", joinPath(path, "..", ".."))) || "my-project");
  const answers = unattended ? fromFlags(inv, defaults) : await interview(inv, defaults, path);
  const candidate = checkConfig(answers);
  if (!candidate.ok) throw usageError(`invalid setting ${candidate.path}: ${candidate.message}`);
  const config = candidate.config;
  const loaded = derive(path, config);

  // Open (and create) the database first: if it cannot be written, nothing else is.
  const db = await openStore(loaded, true);
  try {
    db.write(() => {
      const now = nowIso();
      const project = getProject(db);
      const fields = {
        name: config.project.name,
        repo_path: config.project.repo_path,
        prd_path: config.project.prd_path,
        updated_at: now,
      };
      if (project) updateProject(db, project.id, fields);
      else insertProject(db, { id: newId("prj"), ...fields, created_at: now });
    });
  } finally {
    db.close();
  }
  writeConfig(path, config, current ? existingText : undefined);

  line("");
  line(`${c.green("✓")} ${existingText !== undefined ? "Updated" : "Wrote"} ${path}`);
  line(`${c.green("✓")} Database ready at ${db.path}`);
  line("");
  line("Next: sparkq session create <name>   then   sparkq stream create <name> --session <name>");
  return 0;
}

function targetPath(inv: Inv<"setup">): string {
  const flag = inv.flags.config ?? (Deno.env.get("SPARKQ_CONFIG") || undefined);
  if (flag) return resolvePath(inv.cwd, flag);
  try {
    // Never the launcher's fallback to its own folder: setup writes where it is run.
    return findConfig(inv.cwd, undefined, { fallback: false });
  } catch {
    return joinPath(resolvePath("/", inv.cwd), "sparkq.yml");
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new SparkqError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`, {
      code: e instanceof Deno.errors.NotCapable ? "permission" : "config",
    });
  }
}

type Answers = Config;

function fromFlags(inv: Inv<"setup">, d: Answers): Answers {
  const f = inv.flags;
  const out = structuredClone(d);
  const name = f.name;
  if (name !== undefined) {
    if (name.trim() === "") throw usageError("--name must not be empty");
    out.project.name = name.trim();
  }
  const repo = f["repo-path"];
  if (repo !== undefined) out.project.repo_path = repo;
  const prd = f["prd-path"];
  if (prd !== undefined) out.project.prd_path = prd === "" ? null : prd;
  const dirs = f["script-dir"];
  if (dirs) out.script_dirs = dirs;
  const url = f["database-url"];
  if (url !== undefined) {
    if (url.trim() === "") delete out.database.url;
    else out.database.url = parseDatabaseUrl(url.trim(), "--database-url").url;
  }
  const port = f.port;
  if (port !== undefined) {
    if (port > 65535) throw usageError(`--port must be from 1 to 65535 (got ${port})`);
    out.server.port = port;
  }
  const timeouts: [number | undefined, keyof Config["task_classes"]][] = [
    [f["fast-timeout"], "FAST_SCRIPT"],
    [f["medium-timeout"], "MEDIUM_SCRIPT"],
    [f["llm-lite-timeout"], "LLM_LITE"],
    [f["llm-heavy-timeout"], "LLM_HEAVY"],
  ];
  for (const [v, cls] of timeouts) {
    if (v !== undefined) out.task_classes[cls].timeout = v;
  }
  return out;
}

// deno-lint-ignore require-await
async function interview(inv: Inv<"setup">, d0: Answers, path: string): Promise<Answers> {
  const d = fromFlags(inv, d0);
  line(c.bold("SparkQ setup") + c.dim(`  (${path}; Enter keeps the value in brackets)`));
  d.project.name = askText("Project name", d.project.name);
  d.project.repo_path = askText("Repository path", d.project.repo_path ?? "..");
  const prd = askText("PRD file path ('-' for none)", d.project.prd_path ?? "-");
  d.project.prd_path = prd === "-" || prd === "" ? null : prd;
  d.script_dirs = askList("Script directories", d.script_dirs);
  line(c.bold("Task class timeouts (seconds)"));
  for (const cls of ["FAST_SCRIPT", "MEDIUM_SCRIPT", "LLM_LITE", "LLM_HEAVY"] as const) {
    d.task_classes[cls].timeout = askInt(`  ${cls}`, d.task_classes[cls].timeout);
  }
  d.server.port = askInt("Server port", d.server.port, 1, 65535);
  return d;
}
