/**
 * The directory private to the user that holds the watcher's lock, FIFO and done flag
 * (SPEC §12.4): `$SPARKQ_TMPDIR`, else `/tmp/sparkq-<uid>`. It is created with mode 0700
 * and refused when it is a symlink, not a directory, not owned by the user, writable by
 * group or others, or (through a symlinked parent) outside the folders SparkQ may write.
 * In a folder only its owner can write, no other local user can plant a lock naming a
 * PID of theirs, swap the FIFO or hold the done flag.
 */
import { SparkqError } from "../core/errors.ts";
import { requireInScope } from "./fs_scope.ts";
import { currentUid } from "./pid.ts";

/** Makes sure `path` (absolute) is a usable private directory; returns it. */
export function ensurePrivateDir(path: string, from: string): string {
  // Before anything is created: a symlinked parent must not lead outside the flags.
  requireInScope(path, "write", `the temp dir (${from})`);
  try {
    Deno.mkdirSync(path, { mode: 0o700 });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new SparkqError(`the temp dir ${path} (${from}) cannot be created: no such parent`, {
        code: "permission",
        hint: "create its parent folder, or point SPARKQ_TMPDIR at an existing private directory",
      });
    }
    if (e instanceof Deno.errors.NotCapable) {
      throw new SparkqError(
        `the temp dir ${path} (${from}) is outside the folders SparkQ may write`,
        {
          code: "permission",
          hint: "keep SPARKQ_TMPDIR under /tmp or the SparkQ folder (see README: Permissions)",
        },
      );
    }
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const info = Deno.lstatSync(path);
  const fix = from === "SPARKQ_TMPDIR"
    ? "point SPARKQ_TMPDIR at a directory of yours with mode 0700, or unset it"
    : `remove it (as its owner or root) so SparkQ can create it again with mode 0700, or set SPARKQ_TMPDIR`;
  if (info.isSymlink) {
    throw refusal(`the temp dir ${path} (${from}) is a symlink`, fix);
  }
  if (!info.isDirectory) throw refusal(`the temp dir ${path} (${from}) is not a directory`, fix);
  const uid = currentUid();
  if (info.uid !== null && uid !== null && info.uid !== uid) {
    throw refusal(
      `the temp dir ${path} (${from}) belongs to uid ${info.uid}, not to you (uid ${uid})`,
      fix,
    );
  }
  const mode = (info.mode ?? 0) & 0o777;
  if (mode & 0o022) {
    throw refusal(
      `the temp dir ${path} (${from}) is writable by ${mode & 0o002 ? "everyone" : "its group"} ` +
        `(mode ${mode.toString(8).padStart(4, "0")})`,
      `make it private with 'chmod 700 ${path}', or ${fix.replace(/^remove it.*?, or /, "")}`,
    );
  }
  return path;
}

function refusal(message: string, hint: string): SparkqError {
  return new SparkqError(
    `${message}: SparkQ keeps watcher files only in a directory private to you`,
    { code: "permission", hint },
  );
}
