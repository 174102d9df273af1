/** Reading user-supplied content: `@FILE` arguments, `-` for stdin, and file flags. */
import { SparkqError } from "../core/errors.ts";
import { resolvePath } from "../config/paths.ts";
import { requireInScope } from "../platform/fs_scope.ts";

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** Reads a file named by the user (relative to their cwd), or stdin for `-`. */
export async function readUserFile(cwd: string, path: string, what: string): Promise<string> {
  if (path === "-") return await readStdin();
  const full = resolvePath(cwd, path);
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

/** A text flag that may be `@FILE` (read from the file; `@-` is stdin). */
export async function textOrFile(
  cwd: string,
  value: string | undefined,
  what: string,
): Promise<string | undefined> {
  if (value === undefined || !value.startsWith("@")) return value;
  return await readUserFile(cwd, value.slice(1), what);
}
