/**
 * `sparkq complete <id> --result JSON` and `sparkq fail <id> --error MSG`, each with
 * `--stdout/--stderr TEXT` or `--stdout-file/--stderr-file PATH` (`-` = stdin) for
 * output too large for a shell argument.
 */
import { openProject } from "../cli/context.ts";
import { bool, str } from "../cli/flags.ts";
import { c, line, printJson } from "../platform/terminal.ts";
import { readUserFile } from "../cli/read_input.ts";
import type { Invocation } from "../cli/spec.ts";
import { complete as completeTask, fail as failTask, type Outputs } from "../engine/queue.ts";
import { parseJsonObject } from "../engine/validate.ts";
import { usageError } from "../core/errors.ts";

const COMPLETE_USAGE =
  "usage: sparkq complete <id> --result JSON|--result-file PATH [--stdout T|--stdout-file PATH] [--stderr T|--stderr-file PATH]";
const FAIL_USAGE =
  "usage: sparkq fail <id> --error MSG [--stdout T|--stdout-file PATH] [--stderr T|--stderr-file PATH]";

/** Marks a running task succeeded; prints `Completed <id>: <summary>` (or the task). */
export async function complete(inv: Invocation): Promise<number> {
  onlyOneStdin(inv, ["result-file", "stdout-file", "stderr-file"]);
  const text = await textOrFileFlag(inv, "result", "result-file", COMPLETE_USAGE);
  if (text === undefined) {
    throw usageError("--result (or --result-file) is required", COMPLETE_USAGE);
  }
  const result = parseJsonObject(text, "result");
  const outputs = await readOutputs(inv, COMPLETE_USAGE);
  const p = await openProject(inv);
  const task = completeTask(p, inv.args.id!, { result, ...outputs });
  if (bool(inv, "json")) printJson(task);
  else line(`Completed ${task.id}: ${c.green(String(task.result?.summary))}`);
  return 0;
}

/** Marks a running task failed; prints `Failed <id>: <error>` (or the task). */
export async function fail(inv: Invocation): Promise<number> {
  onlyOneStdin(inv, ["stdout-file", "stderr-file"]);
  const error = str(inv, "error");
  if (error === undefined) throw usageError("--error is required", FAIL_USAGE);
  const outputs = await readOutputs(inv, FAIL_USAGE);
  const p = await openProject(inv);
  const task = failTask(p, inv.args.id!, { error, ...outputs });
  if (bool(inv, "json")) printJson(task);
  else line(`Failed ${task.id}: ${c.red(task.error ?? "")}`);
  return 0;
}

/** Reads --stdout/--stdout-file and --stderr/--stderr-file. */
async function readOutputs(inv: Invocation, usage: string): Promise<Outputs> {
  return {
    stdout: await textOrFileFlag(inv, "stdout", "stdout-file", usage),
    stderr: await textOrFileFlag(inv, "stderr", "stderr-file", usage),
  };
}

/** The value of `--name TEXT` or the content of `--name-file PATH`; both is a usage error. */
async function textOrFileFlag(
  inv: Invocation,
  name: string,
  fileFlag: string,
  usage: string,
): Promise<string | undefined> {
  const text = str(inv, name);
  const file = str(inv, fileFlag);
  if (text !== undefined && file !== undefined) {
    throw usageError(`give --${name} or --${fileFlag}, not both`, usage);
  }
  return file === undefined ? text : await readUserFile(inv.cwd, file, name);
}

/** Stdin can be read once: at most one file flag may be `-`. */
function onlyOneStdin(inv: Invocation, fileFlags: string[]): void {
  const dashes = fileFlags.filter((f) => str(inv, f) === "-");
  if (dashes.length > 1) {
    throw usageError(
      `only one of ${dashes.map((f) => `--${f}`).join(", ")} may be '-' (stdin is read once)`,
    );
  }
}
