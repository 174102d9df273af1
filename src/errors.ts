/**
 * The one error type for mistakes a user (or an agent) can make.
 *
 * A `SparkqError` carries the message printed after `Error: ` and the exit code.
 * Exit 1 is a refused request (unknown stream, wrong state, bad payload);
 * exit 2 is a usage error (unknown command or flag, missing argument, bad flag value).
 * Anything that is not a `SparkqError` is a bug and is reported as one.
 */
export class SparkqError extends Error {
  /** Process exit code: 1 for a refusal, 2 for a usage error. */
  readonly exitCode: number;
  /** HTTP status the API answers with (404 unknown, 409 state/duplicate, 400/422 bad input). */
  readonly status: number;
  /** Extra lines printed after the message (hints, "did you mean", usage). */
  readonly hint?: string;

  constructor(
    message: string,
    options: { exitCode?: number; status?: number; hint?: string } = {},
  ) {
    super(message);
    this.name = "SparkqError";
    this.exitCode = options.exitCode ?? 1;
    this.status = options.status ?? 400;
    this.hint = options.hint;
  }
}

/** A usage error: exit code 2. */
export function usageError(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { exitCode: 2, status: 400, hint });
}

/** "Not found" refusal: exit 1, HTTP 404. */
export function notFound(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { status: 404, hint });
}

/** Wrong state or duplicate: exit 1, HTTP 409. */
export function conflict(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { status: 409, hint });
}

/** Bad input value (payload, result, name): exit 1, HTTP 422. */
export function invalid(message: string, hint?: string): SparkqError {
  return new SparkqError(message, { status: 422, hint });
}
