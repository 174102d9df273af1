/** A fresh config and the check of a candidate one, both from the config schema alone. */
import { type Config, ConfigSchema } from "./schema.ts";

/** The config `setup` proposes for a new project: every default the schema declares. */
export function defaultConfig(name: string): Config {
  return ConfigSchema.parse({ project: { name, repo_path: "..", prd_path: null } });
}

/** Validates a candidate config; returns it with defaults filled, or the first problem. */
export function checkConfig(
  candidate: unknown,
): { ok: true; config: Config } | { ok: false; path: string; message: string } {
  const parsed = ConfigSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, path: issue.path.join("."), message: issue.message };
}
