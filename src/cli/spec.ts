/**
 * The declaration language of SparkQ's command table, and the types a handler's
 * invocation is inferred from. A declaration says everything the parser enforces and
 * the help, the usage lines and the shell completions are written from: which flags
 * and arguments exist, what kind of value each takes, which are required, which
 * values are allowed, and which flags exclude or need one another.
 */

/**
 * What a flag or argument takes. `bool` takes no value; `int` a positive whole
 * number; `duration` a span such as `3d` (parsed to milliseconds); `stream`,
 * `session` and `tool` a name from the project (completed from the database); `file`
 * and `dir` a path (completed by the shell); `json` a JSON text; `string` any text.
 */
export type ValueKind =
  | "bool"
  | "string"
  | "int"
  | "duration"
  | "json"
  | "stream"
  | "session"
  | "tool"
  | "file"
  | "dir";

/** A flag a command accepts. */
export interface FlagDecl {
  kind: ValueKind;
  /** One-letter alias without the dash, e.g. `s`. */
  short?: string;
  /** Placeholder in help and usage, e.g. `SECONDS` (default: one per kind). */
  value?: string;
  /** One line of help. */
  help: string;
  /** The command refuses to run without it (an empty name counts as missing). */
  required?: boolean;
  /** May be given several times; the values are collected into an array. */
  multiple?: boolean;
  /** The only values accepted. */
  choices?: readonly string[];
}

/** A positional argument. */
export interface ArgDecl {
  name: string;
  kind: Exclude<ValueKind, "bool">;
  required?: boolean;
  help: string;
  /** The only values accepted (besides `hidden` ones). */
  choices?: readonly string[];
  /** Values accepted but never listed (internal uses). */
  hidden?: readonly string[];
  /**
   * The argument may be given as this flag instead (`claim auth` = `claim --stream
   * auth`); its value is the flag's, and both forms at once must agree.
   */
  flag?: string;
}

/** Flags that go together: at most one of them (`exclusive`), at least one (`required`). */
export interface GroupDecl {
  flags: readonly string[];
  exclusive?: boolean;
  required?: boolean;
}

/** The flags of a command by long name (without dashes), in help order. */
export type FlagDecls = Readonly<Record<string, FlagDecl>>;

/** One command's declaration. */
export interface CommandDecl {
  summary: string;
  args?: readonly ArgDecl[];
  flags?: FlagDecls;
  groups?: readonly GroupDecl[];
  /** Extra lines of help (examples). */
  details?: string;
}

/** A declared command with its name, as the parser, help and completions see it. */
export interface CommandSpec extends CommandDecl {
  name: string;
}

/** A parsed `--older-than 3d`: the text as given and its length in milliseconds. */
export interface Duration {
  text: string;
  ms: number;
}

/** Flags every command accepts. */
export interface GlobalFlags {
  config?: string;
  help: boolean;
}

/** The parsed values of one command line, before they are typed by the command. */
export interface Invocation {
  /** The command's name, e.g. `session create`. */
  command: string;
  /** Positional arguments by name (those given as a flag too are under `flags`). */
  args: Record<string, string | undefined>;
  /** Flag values by long name. */
  flags: Record<string, unknown> & GlobalFlags;
  /** The directory the user ran the command from (INIT_CWD under `deno task`). */
  cwd: string;
  /** The command's usage line, for refusals a handler makes itself. */
  usage: string;
}

/** What opening a project needs from an invocation: the user's directory and --config. */
export interface Located {
  cwd: string;
  flags: { config?: string; [flag: string]: unknown };
}

// ---- Types inferred from a declaration ----

type BaseValue<D> = D extends { kind: "bool" } ? boolean
  : D extends { choices: readonly (infer C extends string)[] } ? C
  : D extends { kind: "int" } ? number
  : D extends { kind: "duration" } ? Duration
  : string;

/** The value type of one declared flag. */
export type FlagValue<D> = D extends { multiple: true } ? BaseValue<D>[] : BaseValue<D>;

/** Booleans (false when absent) and required flags are always there. */
type Always<D> = D extends { kind: "bool" } ? true : D extends { required: true } ? true : false;

type Flat<T> = { [K in keyof T]: T[K] };

/** The typed flags of a command's flag declarations (plus the global ones). */
export type FlagsOf<F> = Flat<
  & { -readonly [K in keyof F as Always<F[K]> extends true ? K : never]: FlagValue<F[K]> }
  & { -readonly [K in keyof F as Always<F[K]> extends true ? never : K]?: FlagValue<F[K]> }
  & GlobalFlags
>;

type ArgValue<D> = D extends { choices: readonly (infer C extends string)[] }
  ? C | (D extends { hidden: readonly (infer H extends string)[] } ? H : never)
  : string;

/** The typed positional arguments of a command (those also given as a flag excluded). */
export type ArgsOf<A> = A extends readonly ArgDecl[] ? Flat<
    & {
      [
        D in A[number] as D extends { flag: string } ? never
          : D extends { required: true } ? D["name"]
          : never
      ]: ArgValue<D>;
    }
    & {
      [
        D in A[number] as D extends { flag: string } ? never : D extends { required: true } ? never
        : D["name"]
      ]?: ArgValue<D>;
    }
  >
  : Record<never, never>;

/** A command's invocation, typed from its declaration. */
export interface TypedInvocation<D extends CommandDecl> {
  command: string;
  args: ArgsOf<NonNullable<D["args"]>>;
  flags: FlagsOf<NonNullable<D["flags"]>>;
  cwd: string;
  usage: string;
}
