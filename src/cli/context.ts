/** Opening what a command works on, from its invocation's `--config` and directory. */
import type { LoadedConfig } from "../config/load.ts";
import { configAt, openProject as open, type Project } from "../engine/project.ts";
import type { Located } from "./spec.ts";

/** Finds and loads sparkq.yml for this invocation. */
export function configFor(inv: Located): Promise<LoadedConfig> {
  return configAt(locate(inv));
}

/** Loads the config and opens the database (which must exist). */
export function openProject(inv: Located): Promise<Project> {
  return open(locate(inv));
}

function locate(inv: Located): { cwd: string; config?: string } {
  return { cwd: inv.cwd, config: inv.flags.config };
}
