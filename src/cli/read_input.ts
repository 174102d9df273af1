/** Reading user-supplied content: `@FILE` arguments, `-` for stdin, and file flags. */
import { readNamedFile } from "../config/user_file.ts";

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** Reads a file named by the user (relative to their cwd), or stdin for `-`. */
export async function readUserFile(cwd: string, path: string, what: string): Promise<string> {
  return path === "-" ? await readStdin() : await readNamedFile(cwd, path, what);
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
