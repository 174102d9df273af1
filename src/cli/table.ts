/**
 * The command table: every SparkQ command's arguments and flags, declared once. The
 * parser enforces it (src/cli/args.ts), help and usage lines are written from it, the
 * shell completions are generated from it, and each handler's `inv` is typed from its
 * entry (`Inv<"claim">`). Declarations only: the lazy loaders of the handlers are in
 * src/cli/commands.ts, so this module imports no handler.
 */
import {
  LIFECYCLE_STATUSES,
  TASK_LIST_DEFAULT,
  TASK_LIST_MAX,
  TASK_STATUSES,
} from "../core/constants.ts";
import { REPORT_FORMATS } from "../ui/report/formats.ts";
import type {
  ArgDecl,
  CommandSpec,
  FlagDecls,
  GroupDecl,
  TypedInvocation,
  ValueKind,
} from "./spec.ts";

/** Flags every command accepts (handled by the parser and main). */
export const GLOBAL_FLAGS: FlagDecls = {
  config: { kind: "file", help: "use this sparkq.yml (else $SPARKQ_CONFIG, else search upward)" },
  help: { kind: "bool", short: "h", help: "show help" },
};

/** The completion scripts SparkQ writes. */
export const SHELLS = ["bash", "zsh"] as const;

/** The hidden arguments of `completions` that list names for the scripts. */
export const NAME_LISTINGS = ["__streams", "__sessions", "__tools"] as const;

/** The placeholder a value of each kind is shown with when a flag names none. */
export const PLACEHOLDER: Record<ValueKind, string> = {
  bool: "",
  string: "TEXT",
  int: "N",
  duration: "DURATION",
  json: "JSON",
  stream: "NAME",
  session: "NAME",
  tool: "TOOL",
  file: "PATH",
  dir: "DIR",
};

/** A group over the flags of one command (names checked against its flags). */
interface Group<F> extends GroupDecl {
  flags: readonly (keyof F & string)[];
}

/** Declares one command; the literal types are kept for `Inv<…>`. */
function cmd<
  const F extends FlagDecls = Record<never, never>,
  const A extends readonly (ArgDecl & { flag?: keyof F & string })[] = [],
>(d: {
  summary: string;
  args?: A;
  flags?: F;
  groups?: readonly Group<F>[];
  details?: string;
}): { summary: string; args?: A; flags?: F; groups?: readonly Group<F>[]; details?: string } {
  return d;
}

const json = { kind: "bool", help: "print JSON" } as const;
const jsonSame = { kind: "bool", help: "print JSON (the output is JSON already)" } as const;
const streamFlag = { kind: "stream", short: "s", help: "the stream" } as const;
const streamArg = {
  name: "stream",
  kind: "stream",
  flag: "stream",
  help: "the stream (or --stream NAME)",
} as const;
const outputFlags = {
  stdout: { kind: "string", help: "captured stdout" },
  stderr: { kind: "string", help: "captured stderr" },
  "stdout-file": { kind: "file", help: "read stdout from a file ('-' = stdin)" },
  "stderr-file": { kind: "file", help: "read stderr from a file ('-' = stdin)" },
} as const;
const outputGroups = [
  { flags: ["stdout", "stdout-file"], exclusive: true },
  { flags: ["stderr", "stderr-file"], exclusive: true },
] as const;

/** The command table, in the order of `sparkq --help`'s groups. */
export const TABLE = {
  setup: cmd({
    summary: "Create or reconfigure sparkq.yml and the database",
    flags: {
      yes: { kind: "bool", short: "y", help: "unattended: take flags and defaults, ask nothing" },
      name: { kind: "string", value: "NAME", help: "project name" },
      "repo-path": { kind: "dir", value: "PATH", help: "the repository SparkQ serves" },
      "prd-path": { kind: "file", help: "PRD file (optional context)" },
      "script-dir": {
        kind: "dir",
        multiple: true,
        help: "a script directory to index (repeatable)",
      },
      "fast-timeout": { kind: "int", value: "SECONDS", help: "FAST_SCRIPT timeout" },
      "medium-timeout": { kind: "int", value: "SECONDS", help: "MEDIUM_SCRIPT timeout" },
      "llm-lite-timeout": { kind: "int", value: "SECONDS", help: "LLM_LITE timeout" },
      "llm-heavy-timeout": { kind: "int", value: "SECONDS", help: "LLM_HEAVY timeout" },
      port: { kind: "int", value: "PORT", help: "server port" },
      "database-url": {
        kind: "string",
        value: "URL",
        help: "store in PostgreSQL (postgres://user@host:port/db); '' for the SQLite file",
      },
    },
  }),
  status: cmd({
    summary: "Server up or down; sessions and streams with task counts",
    flags: { json },
  }),
  reload: cmd({
    summary: "Re-read tools and the script index (and tell a running server)",
  }),
  "db copy": cmd({
    summary: "Copy the SQLite database into an empty PostgreSQL one (--to URL), or back (--from)",
    flags: {
      to: {
        kind: "string",
        value: "URL",
        help: "copy this project's SQLite file into the PostgreSQL database at URL",
      },
      from: {
        kind: "string",
        value: "URL",
        help: "copy the PostgreSQL database at URL into this project's SQLite file",
      },
      json: { kind: "bool", help: "print the summary as JSON" },
    },
    groups: [{ flags: ["to", "from"], exclusive: true, required: true }],
    details: [
      "The target must hold no sessions, streams or tasks (a project row alone, from setup,",
      "is replaced). The source is read as one snapshot: writes made during the copy are not",
      "in it. Every column of every row is checked against the source before the copy is",
      "kept; on any error the target is left as it was. sparkq.yml is not changed: switch",
      "with 'sparkq setup --database-url URL' (or --database-url '' back to the file).",
    ].join("\n"),
  }),
  "session create": cmd({
    summary: "Create a work session",
    args: [{ name: "name", kind: "string", required: true, help: "session name" }],
    flags: {
      description: { kind: "string", short: "d", help: "description" },
      json,
    },
  }),
  "session list": cmd({
    summary: "List sessions",
    flags: {
      status: { kind: "string", choices: LIFECYCLE_STATUSES, help: "only this status" },
      json,
    },
  }),
  "session end": cmd({
    summary: "End a session and its streams",
    args: [{ name: "name", kind: "session", required: true, help: "session name" }],
    flags: { json },
  }),
  "stream create": cmd({
    summary: "Create a stream in a session",
    args: [{ name: "name", kind: "string", required: true, help: "stream name (globally unique)" }],
    flags: {
      session: { kind: "session", short: "s", required: true, help: "the parent session" },
      instructions: {
        kind: "string",
        short: "i",
        value: "TEXT|@FILE",
        help: "instructions for the agent (@FILE reads a file)",
      },
      json,
    },
  }),
  "stream list": cmd({
    summary: "List streams with task counts",
    flags: {
      session: { kind: "session", short: "s", help: "only this session's streams" },
      status: { kind: "string", choices: LIFECYCLE_STATUSES, help: "only this status" },
      json,
    },
  }),
  "stream end": cmd({
    summary: "End a stream (its queued tasks are never claimed)",
    args: [{ name: "name", kind: "stream", required: true, help: "stream name" }],
    flags: { json },
  }),
  enqueue: cmd({
    summary: "Queue a task; prints its ID",
    args: [
      {
        name: "tool",
        kind: "tool",
        required: true,
        help: "a registered tool (see 'sparkq tools')",
      },
      {
        name: "payload",
        kind: "json",
        required: true,
        help: "a JSON object, or '-' to read it from stdin",
      },
    ],
    flags: {
      stream: { ...streamFlag, required: true },
      timeout: { kind: "int", short: "t", value: "SECONDS", help: "override the tool's timeout" },
      json,
    },
  }),
  peek: cmd({
    summary: "Show the next queued task of a stream without claiming it",
    args: [{ ...streamArg, required: true }],
    flags: { stream: { ...streamFlag, required: true }, json: jsonSame },
  }),
  claim: cmd({
    summary: "Claim the next queued task of a stream; prints it as JSON",
    // Not required here: without a stream, claim lists the streams that have work.
    args: [streamArg],
    flags: { stream: streamFlag, json: jsonSame },
  }),
  complete: cmd({
    summary: "Mark a running task succeeded with a result that has a summary",
    args: [{ name: "id", kind: "string", required: true, help: "task ID" }],
    flags: {
      result: {
        kind: "json",
        short: "r",
        help: 'the result: a JSON object with a non-empty "summary"',
      },
      "result-file": { kind: "file", help: "read the result from a file ('-' = stdin)" },
      summary: {
        kind: "string",
        help: 'the result\'s summary (alone: the result is {"summary": TEXT})',
      },
      ...outputFlags,
      json,
    },
    groups: [
      { flags: ["result", "result-file"], exclusive: true },
      { flags: ["result", "result-file", "summary"], required: true },
      ...outputGroups,
    ],
  }),
  fail: cmd({
    summary: "Mark a running task failed with an error message",
    args: [{ name: "id", kind: "string", required: true, help: "task ID" }],
    flags: {
      error: {
        kind: "string",
        short: "e",
        value: "MESSAGE",
        required: true,
        help: "what went wrong",
      },
      result: { kind: "json", short: "r", help: "structured facts: a JSON object (optional)" },
      "result-file": { kind: "file", help: "read the result from a file ('-' = stdin)" },
      ...outputFlags,
      json,
    },
    groups: [{ flags: ["result", "result-file"], exclusive: true }, ...outputGroups],
  }),
  heartbeat: cmd({
    summary: "Say a running task is still being worked on (moves its stale/auto-fail clock)",
    args: [{ name: "id", kind: "string", required: true, help: "task ID" }],
    flags: {
      note: {
        kind: "string",
        short: "m",
        help: "a progress note for the task's log (kept: the last 200, each up to 4 KiB)",
      },
      json: jsonSame,
    },
  }),
  tasks: cmd({
    summary: "List tasks, newest first",
    flags: {
      status: { kind: "string", choices: TASK_STATUSES, value: "STATUS", help: "only this status" },
      stream: { ...streamFlag, help: "only this stream" },
      stale: { kind: "bool", help: "only running tasks past their timeout" },
      limit: {
        kind: "int",
        short: "n",
        help: `at most N tasks (default ${TASK_LIST_DEFAULT}, up to ${TASK_LIST_MAX})`,
      },
      "with-output": {
        kind: "bool",
        help: "include stdout and stderr in --json (left out by default: sizes only)",
      },
      json,
    },
  }),
  task: cmd({
    summary: "Show everything about one task",
    args: [{ name: "id", kind: "string", required: true, help: "task ID" }],
    flags: {
      full: { kind: "bool", help: "show all of stdout and stderr (default: their last 64 KiB)" },
      json,
    },
  }),
  requeue: cmd({
    summary: "Queue a copy of a failed task; prints the new ID",
    args: [{ name: "id", kind: "string", required: true, help: "the failed task's ID" }],
    flags: { stream: { ...streamFlag, help: "put the copy in this stream" }, json },
  }),
  purge: cmd({
    summary: "Delete succeeded and failed tasks older than a duration",
    flags: {
      "older-than": {
        kind: "duration",
        help: "e.g. 3d, 12h, 1w (default: purge.older_than_days)",
      },
    },
  }),
  report: cmd({
    summary: "A session's record for a person: failures first, then every stream's tasks",
    flags: {
      session: {
        kind: "session",
        short: "s",
        help: "the session (default: the most recently started active one)",
      },
      stream: { kind: "stream", help: "only this stream (its session's report)" },
      since: {
        kind: "duration",
        help: "only tasks created or finished within this long (e.g. 24h), and open ones",
      },
      format: { kind: "string", choices: REPORT_FORMATS, help: "md (default), html or json" },
      output: {
        kind: "file",
        short: "o",
        help: "write to this file instead of stdout (inside SparkQ's folder or /tmp)",
      },
    },
    groups: [{ flags: ["session", "stream"], exclusive: true }],
  }),
  follow: cmd({
    summary: "A live feed of queue events in the terminal, from the last 10 (Ctrl-C ends it)",
    flags: {
      stream: { kind: "stream", help: "only this stream's events" },
      session: { kind: "session", short: "s", help: "only this session's streams" },
      json: { kind: "bool", help: "print one JSON object per event and line" },
    },
    groups: [{ flags: ["stream", "session"], exclusive: true }],
  }),
  tools: cmd({ summary: "List the tool registry", flags: { json } }),
  scripts: cmd({ summary: "List the script index", flags: { json } }),
  run: cmd({
    summary: "Start the server (and watchers: pick a stream, or all of --session)",
    flags: {
      session: {
        kind: "session",
        short: "s",
        help: "start watchers for every active stream of this session",
      },
      "no-watchers": { kind: "bool", help: "start only the server" },
    },
  }),
  stop: cmd({
    summary: "Stop the server and watchers, or one stream's watcher",
    flags: { stream: { ...streamFlag, help: "stop only this stream's watcher" } },
  }),
  watch: cmd({
    summary: "Run the watcher of a stream (wakes its worker through a FIFO)",
    args: [{ name: "stream", kind: "stream", required: true, help: "stream name" }],
    flags: {
      paths: { kind: "bool", help: "print the lock, FIFO and done flag paths as JSON, and exit" },
    },
  }),
  wait: cmd({
    summary: "Block until a task is claimable, claim it and print it",
    args: [{ ...streamArg, required: true }],
    flags: {
      stream: { ...streamFlag, required: true },
      timeout: {
        kind: "int",
        short: "t",
        value: "SECONDS",
        help: "give up after this long (exit 0, no output)",
      },
      json: jsonSame,
    },
  }),
  mcp: cmd({
    summary: "Serve SparkQ to an AI agent as MCP tools over stdio",
    flags: { stream: { ...streamFlag, help: "the stream a tool call without one means" } },
  }),
  completions: cmd({
    summary: "Print a shell completion script (bash or zsh)",
    args: [{
      name: "shell",
      kind: "string",
      required: true,
      choices: SHELLS,
      hidden: NAME_LISTINGS,
      help: SHELLS.join(" or "),
    }],
  }),
};

/** A command's name, e.g. `"session create"`. */
export type CommandName = keyof typeof TABLE;

/** The typed invocation a command's handler receives. */
export type Inv<N extends CommandName> = TypedInvocation<typeof TABLE[N]>;

/** A command's handler: returns its exit code (0 when omitted). */
export type Handler<N extends CommandName> = (inv: Inv<N>) => Promise<number | void>;

/** The table as a list, in declaration order. */
export const COMMANDS: CommandSpec[] = Object.entries(TABLE).map(([name, d]) => ({ ...d, name }));
