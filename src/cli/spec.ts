/** Declarative shapes of SparkQ's commands, flags and parsed invocations. */

/** A flag a command accepts. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `stream`. */
  name: string;
  /** One-letter alias without the dash, e.g. `i`. */
  short?: string;
  /** `string` and `int` take a value; `boolean` does not. */
  type: "string" | "int" | "boolean";
  /** May be given several times (collected into an array). */
  multiple?: boolean;
  /** Placeholder for help, e.g. `NAME`. */
  value?: string;
  /** One line of help. */
  help: string;
}

/** A positional argument. */
export interface ArgSpec {
  name: string;
  required?: boolean;
  help: string;
}

/** The parsed values of one command line. */
export interface Invocation {
  /** The command's name, e.g. `session create`. */
  command: string;
  /** Positional arguments by name. */
  args: Record<string, string | undefined>;
  /** Flag values by long name. */
  flags: Record<string, string | number | boolean | string[] | undefined>;
  /** The directory the user ran the command from (INIT_CWD under `deno task`). */
  cwd: string;
}

/** What a command's handler returns: the exit code (0 when omitted). */
export type Handler = (inv: Invocation) => Promise<number | void>;

/** A command: its name, arguments, flags and a lazy loader of its handler. */
export interface CommandSpec {
  name: string;
  summary: string;
  args?: ArgSpec[];
  flags?: FlagSpec[];
  /** Extra lines of help (examples). */
  details?: string;
  load: () => Promise<Handler>;
}
