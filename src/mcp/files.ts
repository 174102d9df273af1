/** Files an agent names in a tool call (`stdout_file`, `stderr_file`). */
import { SparkqError } from "../core/errors.ts";
import { resolvePath } from "../config/paths.ts";

/**
 * Reads a text file named by the agent, relative to `base` unless absolute. A file
 * that is missing or outside what SparkQ may read is a refusal that says which.
 */
export async function readAgentFile(base: string, path: string, what: string): Promise<string> {
  const full = resolvePath(base, path);
  try {
    return await Deno.readTextFile(full);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.NotCapable
      ? "outside the folders SparkQ may read (see README: Permissions)"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new SparkqError(`cannot read ${what} from ${full}: ${why}`);
  }
}
