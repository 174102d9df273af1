/**
 * What happens to a worker's report (SPEC §5, §12.1), in one place for complete, fail
 * and heartbeat: a running task takes it; the same report twice is accepted and changes
 * nothing; a report after the auto-fail is refused but kept on the task as
 * `late_report`; anything else is refused with a code an agent can act on
 * (`not_found`, `not_running`, `auto_failed`).
 */
import { conflict, notFound, SparkqError } from "../core/errors.ts";
import type { Task, TaskRow } from "../core/schemas.ts";
import * as store from "../storage/tasks.ts";
import { failDeadTasks } from "./autofail.ts";
import { type EngineContext, nowStamp } from "./context.ts";
import { jsonEqual, toTask } from "./task_json.ts";
import { isAutoFailed } from "./timing.ts";
import { capOutputInfo, truncationMarker } from "./validate.ts";

/** The verbs of a report. */
export type ReportVerb = "complete" | "fail" | "heartbeat";

/** Options of complete and fail. */
export interface ReportOptions {
  /** Told when an output had to be cut to the 8 MiB cap (the CLI prints it on stderr). */
  warn?: (message: string) => void;
}

/** Output a worker reports with complete or fail. */
export interface Outputs {
  stdout?: string | null;
  stderr?: string | null;
}

/** Caps both outputs (see `capOutputInfo`), telling `warn` about each one it cuts. */
export function capOutputs(
  input: Outputs,
  warn?: (message: string) => void,
): { stdout: string | null; stderr: string | null } {
  const out = { stdout: null as string | null, stderr: null as string | null };
  for (const name of ["stdout", "stderr"] as const) {
    const capped = capOutputInfo(input[name]);
    out[name] = capped.text;
    if (capped.cut > 0) {
      warn?.(
        `${name} was larger than 8 MiB: kept its first and last 4 MiB, the ${capped.cut} bytes between are replaced by '${
          truncationMarker(capped.cut)
        }' (put large output in a file and name it in the result)`,
      );
    }
  }
  return out;
}

/** The no-such-task refusal. */
export function noSuchTask(id: string): SparkqError {
  return notFound(`no task with ID '${id}'`, "list tasks with 'sparkq tasks'");
}

/** The refusal of a report on a task that is not running (its code says why). */
export function notRunning(row: TaskRow, verb: ReportVerb): SparkqError {
  if (isAutoFailed(row)) return autoFailed(row, verb, "");
  const hint = row.status === "queued"
    ? "claim it first with 'sparkq claim --stream …'"
    : row.status === "failed"
    ? `requeue it with 'sparkq requeue ${row.id}' to run it again`
    : undefined;
  return conflict(`cannot ${verb} task ${row.id}: it is ${row.status}, not running`, hint);
}

function autoFailed(row: TaskRow, verb: ReportVerb, kept: string): SparkqError {
  return conflict(
    `cannot ${verb} task ${row.id}: it was auto-failed at ${row.finished_at} (${row.error})${kept}`,
    `requeue it with 'sparkq requeue ${row.id}' to run it again`,
    "auto_failed",
  );
}

/** A finished task's fields as complete or fail sets them (JSON text for the result). */
export type FinishFields = Omit<store.Finish, "now">;

/**
 * Moves a running task to succeeded or failed. On a task that is not running: the same
 * report again returns the task unchanged; on an auto-failed task the report is kept as
 * `late_report` (the first one only) and refused; anything else is refused.
 */
export function finishReport(
  ctx: EngineContext,
  id: string,
  verb: "complete" | "fail",
  fields: FinishFields,
): Task {
  failDeadTasks(ctx);
  // Concurrent: the finish and the late report are each guarded by the state they
  // expect, and everything else here reads what those guards decided.
  const outcome = ctx.db.write((): Task | SparkqError => {
    const now = nowStamp(ctx);
    const changed = store.finishRunning(ctx.db, id, { ...fields, now });
    const row = store.getTask(ctx.db, id);
    if (!row) return noSuchTask(id);
    if (changed || sameReport(row, fields)) return toTask(row);
    if (!isAutoFailed(row)) return notRunning(row, verb);
    const report = lateReport(now, fields);
    if (row.late_report === null) {
      store.keepLateReport(ctx.db, id, JSON.stringify(report), now);
      return autoFailed(row, verb, keptNote(id, "what this report carried is kept"));
    }
    const earlier = JSON.parse(row.late_report);
    return jsonEqual({ ...earlier, at: now }, report)
      ? autoFailed(row, verb, keptNote(id, "this report is kept already"))
      : autoFailed(
        row,
        verb,
        keptNote(id, "an earlier late report is kept; this one was not stored"),
      );
  }, { concurrent: true });
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

function keptNote(id: string, what: string): string {
  return `; ${what} on the task as late_report (see 'sparkq task ${id}')`;
}

/** True when a finished task already holds exactly this report (a retried call). */
function sameReport(row: TaskRow, f: FinishFields): boolean {
  if (row.status !== f.status) return false;
  if (f.status === "succeeded") {
    return row.result !== null && f.result !== null &&
      jsonEqual(JSON.parse(row.result), JSON.parse(f.result));
  }
  return !isAutoFailed(row) && row.error === f.error;
}

/** The `late_report` object: when, the outcome, and what the report carried. */
function lateReport(at: string, f: FinishFields): Record<string, unknown> {
  const report: Record<string, unknown> = { at, outcome: f.status };
  if (f.result !== null) report.result = JSON.parse(f.result);
  if (f.error !== null) report.error = f.error;
  if (f.stdout !== null) report.stdout = f.stdout;
  if (f.stderr !== null) report.stderr = f.stderr;
  return report;
}
