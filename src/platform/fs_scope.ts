/**
 * The one check for paths a user names (`@FILE`, `--*-file`, `--config`, `database.path`,
 * script directories, `$SPARKQ_TMPDIR`): Deno checks its permission flags against the path
 * as written, so a symlink inside an allowed folder could lead anywhere. Here the path is
 * resolved through every symlink first, and the resolved path must itself be allowed by
 * the flags (the user's repository and the temp dir for reading; the SparkQ folder and the
 * temp dir for writing; see README: Permissions).
 */
import { SparkqError } from "../core/errors.ts";

/** What the path is used for: the permission it must have after resolution. */
export type Access = "read" | "write";

/**
 * Resolves `path` (absolute) through symlinks. A path that does not exist yet (a database
 * `setup` will create) resolves its deepest existing ancestor and keeps the rest as written.
 */
export function resolveReal(path: string): string {
  const missing: string[] = [];
  let at = path;
  for (;;) {
    try {
      const real = Deno.realPathSync(at);
      return missing.length ? [real.replace(/\/$/, ""), ...missing.reverse()].join("/") : real;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      const cut = at.replace(/\/+$/, "").lastIndexOf("/");
      if (cut < 0 || at === "/") throw e;
      missing.push(at.slice(cut + 1).replace(/\/+$/, ""));
      at = cut === 0 ? "/" : at.slice(0, cut);
    }
  }
}

/**
 * Returns the resolved form of the absolute `path` when SparkQ's permission flags allow
 * `access` to it; otherwise refuses with code `permission`. `what` names the input in
 * the message (e.g. "the result file", "database.path"). A path that involves no
 * symlink is returned as is: Deno's own check of the operation refuses it if need be
 * (each caller has a message for that).
 */
export function requireInScope(path: string, access: Access, what: string): string {
  let real: string;
  try {
    real = resolveReal(path);
  } catch {
    // Not readable as written, a symlink loop, a file used as a folder: the operation
    // itself fails on the path as written, with the caller's clearer message.
    return path;
  }
  if (real !== path && !granted(access, real)) throw outside(path, real, access, what);
  return real;
}

/**
 * Whether the flags allow `access` to the resolved path. Deno compares the flags as
 * written, so where /tmp is itself a symlink (/private/tmp on macOS) a resolved path
 * under its target is asked about under the name /tmp.
 */
function granted(access: Access, real: string): boolean {
  if (Deno.permissions.querySync({ name: access, path: real }).state === "granted") return true;
  let tmp: string;
  try {
    tmp = Deno.realPathSync("/tmp");
  } catch {
    return false;
  }
  if (tmp === "/tmp" || !(real === tmp || real.startsWith(tmp + "/"))) return false;
  const alias = "/tmp" + real.slice(tmp.length);
  return Deno.permissions.querySync({ name: access, path: alias }).state === "granted";
}

function outside(path: string, real: string, access: Access, what: string): SparkqError {
  const via = real === path ? "" : ` (it leads to ${real} through a symlink)`;
  return new SparkqError(
    `${what} ${path} is outside the folders SparkQ may ${access}${via}`,
    {
      code: "permission",
      hint: access === "read"
        ? "SparkQ reads only the repository it was copied into and the temp dir (see README: Permissions)"
        : "SparkQ writes only inside its own folder and the temp dir (see README: Permissions)",
    },
  );
}
