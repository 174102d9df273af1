/** Typed access to parsed flags, with the checks several commands share. */
import { usageError } from "../core/errors.ts";
import {
  LIFECYCLE_STATUSES,
  type LifecycleStatus,
  TASK_STATUSES,
  type TaskStatus,
} from "../core/constants.ts";
import type { Invocation } from "./spec.ts";

/** A string flag, or undefined. */
export function str(inv: Invocation, name: string): string | undefined {
  const v = inv.flags[name];
  return v === undefined ? undefined : String(v);
}

/** A boolean flag. */
export function bool(inv: Invocation, name: string): boolean {
  return inv.flags[name] === true;
}

/** An integer flag, or undefined. */
export function int(inv: Invocation, name: string): number | undefined {
  const v = inv.flags[name];
  return typeof v === "number" ? v : undefined;
}

/** A required string flag; a usage error names it when missing. */
export function required(inv: Invocation, name: string, hint?: string): string {
  const v = str(inv, name);
  if (v === undefined || v === "") throw usageError(`--${name} is required`, hint);
  return v;
}

/** `--status` for sessions and streams: active or ended. */
export function lifecycleStatus(inv: Invocation): LifecycleStatus | undefined {
  const v = str(inv, "status");
  if (v === undefined) return undefined;
  if (!(LIFECYCLE_STATUSES as readonly string[]).includes(v)) {
    throw usageError(`--status must be one of ${LIFECYCLE_STATUSES.join(", ")} (got '${v}')`);
  }
  return v as LifecycleStatus;
}

/** `--status` for tasks: queued, running, succeeded or failed. */
export function taskStatus(inv: Invocation): TaskStatus | undefined {
  const v = str(inv, "status");
  if (v === undefined) return undefined;
  if (!(TASK_STATUSES as readonly string[]).includes(v)) {
    throw usageError(`--status must be one of ${TASK_STATUSES.join(", ")} (got '${v}')`);
  }
  return v as TaskStatus;
}
