/**
 * The database host `deno task sparkq` adds to --allow-net (scripts/db_net.sh), for
 * tests that run the source: `dbNetFlags` runs the script as the task does, so a test
 * gets the same flags as a user of the task in that directory.
 */
import { ROOT, SPARKQ_FLAGS } from "./process.ts";

/** The task's readable folders, which the script gets as its first argument. */
export const TASK_READABLE: string = SPARKQ_FLAGS.find((f) => f.startsWith("--allow-read="))!
  .slice("--allow-read=".length);

/**
 * What scripts/db_net.sh prints for a user in `cwd` with `env` (over the test runner's
 * environment), run from the SparkQ folder as the task runs it: `["--allow-net=HOST:PORT"]`,
 * or `[]` when no PostgreSQL URL is in effect. `args` are the command's arguments, which
 * only the launcher can pass (a task does not see its own).
 */
export function dbNetFlags(
  cwd: string,
  env: Record<string, string> = {},
  args: string[] = [],
): string[] {
  const out = new Deno.Command("sh", {
    args: ["scripts/db_net.sh", TASK_READABLE, ...args],
    cwd: ROOT,
    env: { ...env, INIT_CWD: cwd },
    stdin: "null",
  }).outputSync();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (out.code !== 0) {
    throw new Error(
      `scripts/db_net.sh exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text === "" ? [] : [text];
}
