/**
 * The script index (SPEC §6): every file under the configured `script_dirs`
 * (relative to `project.repo_path`, itself relative to sparkq.yml's folder) whose
 * leading comment block declares a `# name:`. Built by `sparkq scripts`, `reload`
 * and the server (at start and on reload).
 */
import type { LoadedConfig } from "../config/load.ts";
import { joinPath, resolvePath } from "../config/paths.ts";
import { parseHeader, type ScriptHeader } from "./script_header.ts";
import { requireInScope } from "../platform/fs_scope.ts";
import { isSparkqError } from "../core/errors.ts";

/** One indexed script. */
export interface ScriptEntry extends ScriptHeader {
  /** Path relative to the repository (what a payload's `script_path` names). */
  path: string;
  /** Absolute path. */
  abs_path: string;
  /** The configured script dir it was found in. */
  script_dir: string;
}

/** The index and what was odd while building it. */
export interface ScriptIndex {
  scripts: ScriptEntry[];
  /** Missing or unreadable dirs, duplicate names. */
  warnings: string[];
  /** The repository root the paths are relative to. */
  repo: string;
  /** When it was built (ISO). */
  built_at: string;
}

/** How much of a file is read to find its header. */
const HEAD_BYTES = 16 * 1024;
/** How deep the walk goes below a script dir. */
const MAX_DEPTH = 8;
/** Folders never walked into. */
const SKIP_DIRS = new Set(["node_modules", "__pycache__", "venv", ".venv"]);

/** The repository root of a config: `project.repo_path` against sparkq.yml's folder. */
export function repoRoot(loaded: LoadedConfig): string {
  return resolvePath(loaded.dir, loaded.config.project.repo_path ?? ".");
}

/** Builds the script index of a config, sorted by name. Never throws for a bad dir. */
export function buildScriptIndex(loaded: LoadedConfig): ScriptIndex {
  const repo = repoRoot(loaded);
  const scripts: ScriptEntry[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const dir of loaded.config.script_dirs) {
    const abs = resolvePath(repo, dir);
    const files: string[] = [];
    try {
      requireInScope(abs, "read", `script dir '${dir}'`);
      if (!Deno.statSync(abs).isDirectory) {
        warnings.push(`script dir '${dir}' (${abs}) is not a directory`);
        continue;
      }
      walk(abs, 0, files);
    } catch (e) {
      warnings.push(isSparkqError(e) ? e.message : `script dir '${dir}' (${abs}) ${describe(e)}`);
      continue;
    }
    for (const file of files.sort()) {
      const header = readHeader(file);
      if (!header) continue;
      const path = relative(repo, file);
      const first = seen.get(header.name);
      if (first) {
        warnings.push(
          `script name '${header.name}' in ${path} is already used by ${first}; skipped`,
        );
        continue;
      }
      seen.set(header.name, path);
      scripts.push({ ...header, path, abs_path: file, script_dir: dir });
    }
  }
  scripts.sort((a, b) => a.name.localeCompare(b.name));
  return { scripts, warnings, repo, built_at: new Date().toISOString() };
}

function walk(dir: string, depth: number, out: string[]): void {
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name.startsWith(".")) continue;
    const path = joinPath(dir, entry.name);
    if (entry.isFile) out.push(path);
    else if (entry.isDirectory && depth < MAX_DEPTH && !SKIP_DIRS.has(entry.name)) {
      try {
        walk(path, depth + 1, out);
      } catch { /* an unreadable sub-folder is skipped */ }
    }
  }
}

function readHeader(path: string): ScriptHeader | undefined {
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path, { read: true });
    const buf = new Uint8Array(HEAD_BYTES);
    const n = file.readSync(buf) ?? 0;
    const head = buf.subarray(0, n);
    if (head.includes(0)) return undefined; // binary
    return parseHeader(new TextDecoder().decode(head));
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}

function relative(root: string, path: string): string {
  const prefix = root.endsWith("/") ? root : root + "/";
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function describe(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "does not exist";
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    return "cannot be read (outside what SparkQ may read: see README, Permissions)";
  }
  return `cannot be read (${e instanceof Error ? e.message : String(e)})`;
}
