/** Reading a file a user (or an agent) names: `@FILE`, `--*-file`, MCP `*_file` arguments. */
import { SparkqError } from "../core/errors.ts";
import { requireInScope } from "../platform/fs_scope.ts";
import { resolvePath } from "./paths.ts";

/**
 * Reads the text file `path` names, relative to `base` unless absolute, after resolving
 * it through symlinks into the folders SparkQ may read. A missing or unreadable file is
 * a refusal that says which file and why; `what` names the input ("stdout", "result").
 */
export async function readNamedFile(base: string, path: string, what: string): Promise<string> {
  const full = resolvePath(base, path);
  const real = requireInScope(full, "read", `the ${what} file`);
  try {
    return await Deno.readTextFile(real);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.NotCapable
      ? "outside the folders SparkQ may read (see README: Permissions)"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new SparkqError(`cannot read ${what} from ${full}: ${why}`, {
      code: e instanceof Deno.errors.NotCapable ? "permission" : "invalid",
    });
  }
}
