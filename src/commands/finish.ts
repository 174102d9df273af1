/**
 * `sparkq complete <id> --result JSON | --result-file PATH | --summary TEXT` and
 * `sparkq fail <id> --error MSG [--result JSON | --result-file PATH]`, each with
 * `--stdout/--stderr TEXT` or `--stdout-file/--stderr-file PATH` (`-` = stdin) for
 * output too large for a shell argument. Which of these go together is declared in
 * the command table (src/cli/table.ts) and enforced by the parser.
 */
import { openProject } from "../cli/context.ts";
import { c, line, printJson, writeErr } from "../platform/terminal.ts";
import { readUserFile } from "../cli/read_input.ts";
import type { Inv } from "../cli/table.ts";
import { complete as completeTask, fail as failTask, type Outputs } from "../engine/queue.ts";
import { parseJsonObject } from "../engine/validate.ts";
import { usageError } from "../core/errors.ts";

/** The flags both commands share. */
type FinishFlags = Inv<"complete">["flags"] | Inv<"fail">["flags"];

/**
 * Marks a running task succeeded; prints `Completed <id>: <summary>` (or the task).
 * `--summary TEXT` alone is the result `{"summary": TEXT}`; with `--result` or
 * `--result-file` it sets that result's summary.
 */
export async function complete(inv: Inv<"complete">): Promise<number> {
  const f = inv.flags;
  onlyOneStdin([["result-file", f["result-file"]], ...outputFiles(f)]);
  const given = await readResult(inv.cwd, f);
  const result = f.summary === undefined ? given : { ...given, summary: f.summary };
  const outputs = await readOutputs(inv.cwd, f);
  const p = await openProject(inv);
  const task = completeTask(p, inv.args.id, { result, ...outputs }, { warn });
  if (f.json) printJson(task);
  else line(`Completed ${task.id}: ${c.green(String(task.result?.summary))}`);
  return 0;
}

/** Marks a running task failed (keeping an optional result); prints `Failed <id>: <error>`. */
export async function fail(inv: Inv<"fail">): Promise<number> {
  const f = inv.flags;
  onlyOneStdin([["result-file", f["result-file"]], ...outputFiles(f)]);
  const result = await readResult(inv.cwd, f);
  const outputs = await readOutputs(inv.cwd, f);
  const p = await openProject(inv);
  const task = failTask(p, inv.args.id, { error: f.error, result, ...outputs }, { warn });
  if (f.json) printJson(task);
  else line(`Failed ${task.id}: ${c.red(task.error ?? "")}`);
  return 0;
}

/** Prints the engine's warning that an output was cut to the 8 MiB cap (exit stays 0). */
function warn(message: string): void {
  writeErr(`Warning: ${message}\n`);
}

/** The result object of --result or --result-file, if either was given. */
async function readResult(
  cwd: string,
  f: { result?: string; "result-file"?: string },
): Promise<Record<string, unknown> | undefined> {
  const text = f["result-file"] === undefined
    ? f.result
    : await readUserFile(cwd, f["result-file"], "result");
  return text === undefined ? undefined : parseJsonObject(text, "result");
}

/** Reads --stdout/--stdout-file and --stderr/--stderr-file. */
async function readOutputs(cwd: string, f: FinishFlags): Promise<Outputs> {
  const read = (text: string | undefined, file: string | undefined, what: string) =>
    file === undefined ? text : readUserFile(cwd, file, what);
  return {
    stdout: await read(f.stdout, f["stdout-file"], "stdout"),
    stderr: await read(f.stderr, f["stderr-file"], "stderr"),
  };
}

function outputFiles(f: FinishFlags): [string, string | undefined][] {
  return [["stdout-file", f["stdout-file"]], ["stderr-file", f["stderr-file"]]];
}

/** Stdin can be read once: at most one file flag may be `-`. */
function onlyOneStdin(files: [string, string | undefined][]): void {
  const dashes = files.filter(([, v]) => v === "-").map(([name]) => name);
  if (dashes.length > 1) {
    throw usageError(
      `only one of ${dashes.map((f) => `--${f}`).join(", ")} may be '-' (stdin is read once)`,
    );
  }
}
