/**
 * `sparkq reload`. A hot-path module: it imports nothing heavy itself; the work (YAML,
 * zod, the script index) is in the cold half, `reloadCommand` in `src/heavy/mod.ts`.
 */
import type { Invocation } from "../cli/spec.ts";
import { heavy } from "../heavy.ts";

/** `reload`: re-read tools and the script index, and tell a running server. */
export async function reload(inv: Invocation): Promise<number> {
  return (await heavy()).reloadCommand(inv);
}
