/**
 * The one error type for mistakes a user (or an agent) can make.
 *
 * A `SparkqError` carries the message printed after `Error: `, a stable `code` an agent
 * can act on, the exit code and the HTTP status. Exit 1 is a refused request (unknown
 * stream, wrong state, bad payload); exit 2 is a usage error (unknown command or flag,
 * missing argument, bad flag value). Anything that is not a `SparkqError` is a bug and
 * is reported as one.
 *
 * Errors are recognised by a brand (`isSparkqError`), never by `instanceof`: a cold
 * module loaded from the single-file bundle carries its own copy of this class.
 */

/** The stable codes of refusals (SPEC §12.1). */
export const ERROR_CODES = [
  "not_found",
  "not_running",
  "auto_failed",
  "stream_ended",
  "session_ended",
  "duplicate",
  "invalid",
  "too_large",
  "locked",
  "disk_full",
  "config",
  "permission",
  "server_running",
  "server_not_running",
  "usage",
  "internal",
] as const;

/** A refusal's stable code. */
export type ErrorCode = typeof ERROR_CODES[number];

const BRAND = Symbol.for("sparkq.error");

/** Options of a SparkqError. */
export interface SparkqErrorOptions {
  /** The stable code; defaults from the exit code and status. */
  code?: ErrorCode;
  /** Process exit code: 1 (refusal, the default) or 2 (usage). */
  exitCode?: number;
  /** HTTP status; defaults from the code. */
  status?: number;
  /** Extra lines printed after the message (hints, "did you mean", usage). */
  hint?: string;
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  not_found: 404,
  not_running: 409,
  auto_failed: 409,
  stream_ended: 409,
  session_ended: 409,
  duplicate: 409,
  invalid: 422,
  too_large: 413,
  locked: 503,
  disk_full: 507,
  config: 500,
  permission: 500,
  server_running: 409,
  server_not_running: 409,
  usage: 400,
  internal: 500,
};

/** A mistake of the user's (or a refused request), with what to print and return. */
export class SparkqError extends Error {
  /** The stable code an agent branches on. */
  readonly code: ErrorCode;
  /** Process exit code: 1 for a refusal, 2 for a usage error. */
  readonly exitCode: number;
  /** HTTP status the API answers with. */
  readonly status: number;
  /** Extra lines printed after the message (hints, "did you mean", usage). */
  readonly hint?: string;

  constructor(message: string, options: SparkqErrorOptions = {}) {
    super(message);
    this.name = "SparkqError";
    this.exitCode = options.exitCode ?? (options.code === "usage" ? 2 : 1);
    this.code = options.code ??
      (this.exitCode === 2 ? "usage" : codeOfStatus(options.status) ?? "invalid");
    this.status = options.status ?? (options.code ? STATUS_OF[options.code] : undefined) ?? 400;
    this.hint = options.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

function codeOfStatus(status: number | undefined): ErrorCode | undefined {
  if (status === 404) return "not_found";
  if (status === 409) return "not_running";
  if (status === 503) return "locked";
  if (status === 500) return "internal";
  return undefined;
}

/** True for a SparkqError from any copy of this module (bundles included). */
export function isSparkqError(e: unknown): e is SparkqError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** A usage error: exit code 2, code `usage`. */
export function usageError(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { code: "usage", hint });
}

/** "Not found" refusal: exit 1, HTTP 404, code `not_found`. */
export function notFound(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { code: "not_found", hint });
}

/** Wrong state or duplicate: exit 1, HTTP 409; `code` says which. */
export function conflict(
  message: string,
  hint?: string,
  code: ErrorCode = "not_running",
): SparkqError {
  return new SparkqError(message, { code, hint });
}

/** Bad input value (payload, result, name): exit 1, HTTP 422, code `invalid`. */
export function invalid(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { code: "invalid", hint });
}

/** The JSON body of a refusal (API answers, `--json` errors on stderr, MCP). */
export function errorBody(e: SparkqError): { error: string; code: ErrorCode; hint?: string } {
  return e.hint === undefined
    ? { error: e.message, code: e.code }
    : { error: e.message, code: e.code, hint: e.hint };
}

const DISK_FULL =
  /database or disk is full|SQLITE_FULL|No space left on device|os error 28|ENOSPC/i;

/** True when `e` says a disk is full: SQLite's SQLITE_FULL (13) or the system's ENOSPC. */
export function isDiskFull(e: unknown): boolean {
  const errcode = (e as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === "number" && (errcode & 0xff) === 13) return true;
  return DISK_FULL.test(e instanceof Error ? e.message : String(e));
}

/**
 * `e` as a `disk_full` refusal when it says a disk is full (the file it names, if
 * any, is `where`); undefined otherwise.
 */
export function asDiskFull(e: unknown): SparkqError | undefined {
  if (!isDiskFull(e)) return undefined;
  const msg = e instanceof Error ? e.message : String(e);
  return diskFull(/'([^']+)'/.exec(msg)?.[1] ?? "a file SparkQ writes");
}

/** The `disk_full` refusal (exit 1, HTTP 507): a write to `where` found no space. */
export function diskFull(where: string): SparkqError {
  return new SparkqError(`the disk holding ${where} is full: nothing was saved`, {
    code: "disk_full",
    hint: "free some space on that disk, then try again",
  });
}
