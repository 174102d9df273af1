/** Opening what a command works on, from its invocation's `--config` and directory. */
import type { LoadedConfig } from "../config/load.ts";
import { configAt, openProject as open, type Project } from "../engine/project.ts";
import type { Invocation } from "./spec.ts";

/** Finds and loads sparkq.yml for this invocation. */
export function configFor(inv: Invocation): Promise<LoadedConfig> {
  return configAt(locate(inv));
}

/** Loads the config and opens the database (which must exist). */
export function openProject(inv: Invocation): Promise<Project> {
  return open(locate(inv));
}

function locate(inv: Invocation): { cwd: string; config?: string } {
  return { cwd: inv.cwd, config: inv.flags.config as string | undefined };
}
