/** Where the user is and how their relative paths resolve. */
import { currentUid } from "../platform/pid.ts";

/**
 * The directory the user ran SparkQ from. `deno task` runs in the folder of
 * deno.json and passes the caller's directory as INIT_CWD; elsewhere it is the cwd.
 */
export function userCwd(): string {
  return Deno.env.get("INIT_CWD") || Deno.cwd();
}

/** True when `p` is absolute. */
export function isAbsolute(p: string): boolean {
  return p.startsWith("/");
}

/** Joins and normalises POSIX path parts (`..` and `.` resolved). */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  const abs = joined.startsWith("/");
  const out: string[] = [];
  for (const seg of joined.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
    } else out.push(seg);
  }
  return (abs ? "/" : "") + out.join("/") || (abs ? "/" : ".");
}

/** Resolves `p` against `base` unless it is absolute. */
export function resolvePath(base: string, p: string): string {
  return isAbsolute(p) ? joinPath(p) : joinPath(base, p);
}

/** The directory part of a path. */
export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : p.slice(0, i);
}

/** The last part of a path. */
export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/**
 * The private temp dir for watcher files (SPEC §12.4): $SPARKQ_TMPDIR, else
 * /tmp/sparkq-<uid>; `from` says which, for messages. Not checked here: see
 * src/platform/private_dir.ts.
 */
export function tempDir(): { path: string; from: string } {
  const env = Deno.env.get("SPARKQ_TMPDIR");
  if (env) return { path: resolvePath(userCwd(), env), from: "SPARKQ_TMPDIR" };
  return { path: `/tmp/sparkq-${currentUid() ?? "user"}`, from: "the default" };
}
