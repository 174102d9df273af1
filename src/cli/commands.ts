/**
 * Every SparkQ command: name, arguments, flags and a lazy loader of its handler.
 * Handlers live in `src/commands/`; the ones that need YAML, zod or the server are
 * reached through `loadCold()` (src/core/cold.ts) so the hot commands stay fast.
 */
import { loadCold } from "../core/cold.ts";
import { TASK_LIST_DEFAULT, TASK_LIST_MAX } from "../core/constants.ts";
import type * as SetupCold from "../commands/setup.ts";
import type * as ServerCold from "../commands/server_cold.ts";
import type { CommandSpec, FlagSpec } from "./spec.ts";

const json: FlagSpec = { name: "json", type: "boolean", help: "print JSON" };
const streamReq: FlagSpec = {
  name: "stream",
  short: "s",
  type: "string",
  value: "NAME",
  help: "(required) the stream",
};
const outputFlags: FlagSpec[] = [
  { name: "stdout", type: "string", value: "TEXT", help: "captured stdout" },
  { name: "stderr", type: "string", value: "TEXT", help: "captured stderr" },
  {
    name: "stdout-file",
    type: "string",
    value: "PATH",
    help: "read stdout from a file ('-' = stdin)",
  },
  {
    name: "stderr-file",
    type: "string",
    value: "PATH",
    help: "read stderr from a file ('-' = stdin)",
  },
];

/** The command table. */
export const COMMANDS: CommandSpec[] = [
  {
    name: "setup",
    summary: "Create or reconfigure sparkq.yml and the database",
    flags: [
      {
        name: "yes",
        short: "y",
        type: "boolean",
        help: "unattended: take flags and defaults, ask nothing",
      },
      { name: "name", type: "string", value: "NAME", help: "project name" },
      { name: "repo-path", type: "string", value: "PATH", help: "the repository SparkQ serves" },
      { name: "prd-path", type: "string", value: "PATH", help: "PRD file (optional context)" },
      {
        name: "script-dir",
        type: "string",
        multiple: true,
        value: "DIR",
        help: "a script directory to index (repeatable)",
      },
      { name: "fast-timeout", type: "int", value: "SECONDS", help: "FAST_SCRIPT timeout" },
      { name: "medium-timeout", type: "int", value: "SECONDS", help: "MEDIUM_SCRIPT timeout" },
      { name: "llm-lite-timeout", type: "int", value: "SECONDS", help: "LLM_LITE timeout" },
      { name: "llm-heavy-timeout", type: "int", value: "SECONDS", help: "LLM_HEAVY timeout" },
      { name: "port", type: "int", value: "PORT", help: "server port" },
    ],
    load: () => loadCold<typeof SetupCold>("setup").then((m) => m.setup),
  },
  {
    name: "status",
    summary: "Server up or down; sessions and streams with task counts",
    flags: [json],
    load: () => import("../commands/status.ts").then((m) => m.status),
  },
  {
    name: "reload",
    summary: "Re-read tools and the script index (and tell a running server)",
    load: () => import("../commands/reload.ts").then((m) => m.reload),
  },
  {
    name: "session create",
    summary: "Create a work session",
    args: [{ name: "name", required: true, help: "session name" }],
    flags: [
      { name: "description", short: "d", type: "string", value: "TEXT", help: "description" },
      json,
    ],
    load: () => import("../commands/session.ts").then((m) => m.sessionCreate),
  },
  {
    name: "session list",
    summary: "List sessions",
    flags: [
      { name: "status", type: "string", value: "active|ended", help: "only this status" },
      json,
    ],
    load: () => import("../commands/session.ts").then((m) => m.sessionList),
  },
  {
    name: "session end",
    summary: "End a session and its streams",
    args: [{ name: "name", required: true, help: "session name" }],
    flags: [json],
    load: () => import("../commands/session.ts").then((m) => m.sessionEnd),
  },
  {
    name: "stream create",
    summary: "Create a stream in a session",
    args: [{ name: "name", required: true, help: "stream name (globally unique)" }],
    flags: [
      {
        name: "session",
        short: "s",
        type: "string",
        value: "NAME",
        help: "(required) the parent session",
      },
      {
        name: "instructions",
        short: "i",
        type: "string",
        value: "TEXT|@FILE",
        help: "instructions for the agent (@FILE reads a file)",
      },
      json,
    ],
    load: () => import("../commands/stream.ts").then((m) => m.streamCreate),
  },
  {
    name: "stream list",
    summary: "List streams with task counts",
    flags: [
      {
        name: "session",
        short: "s",
        type: "string",
        value: "NAME",
        help: "only this session's streams",
      },
      { name: "status", type: "string", value: "active|ended", help: "only this status" },
      json,
    ],
    load: () => import("../commands/stream.ts").then((m) => m.streamList),
  },
  {
    name: "stream end",
    summary: "End a stream (its queued tasks are never claimed)",
    args: [{ name: "name", required: true, help: "stream name" }],
    flags: [json],
    load: () => import("../commands/stream.ts").then((m) => m.streamEnd),
  },
  {
    name: "enqueue",
    summary: "Queue a task; prints its ID",
    args: [
      { name: "tool", required: true, help: "a registered tool (see 'sparkq tools')" },
      { name: "payload", required: true, help: "a JSON object, or '-' to read it from stdin" },
    ],
    flags: [
      streamReq,
      {
        name: "timeout",
        short: "t",
        type: "int",
        value: "SECONDS",
        help: "override the tool's timeout",
      },
      json,
    ],
    load: () => import("../commands/enqueue.ts").then((m) => m.enqueue),
  },
  {
    name: "peek",
    summary: "Show the next queued task of a stream without claiming it",
    flags: [streamReq],
    load: () => import("../commands/peek.ts").then((m) => m.peek),
  },
  {
    name: "claim",
    summary: "Claim the next queued task of a stream; prints it as JSON",
    flags: [streamReq],
    load: () => import("../commands/claim.ts").then((m) => m.claim),
  },
  {
    name: "complete",
    summary: "Mark a running task succeeded with a result that has a summary",
    args: [{ name: "id", required: true, help: "task ID" }],
    flags: [
      {
        name: "result",
        short: "r",
        type: "string",
        value: "JSON",
        help: 'the result: a JSON object with a non-empty "summary"',
      },
      {
        name: "result-file",
        type: "string",
        value: "PATH",
        help: "read the result from a file ('-' = stdin)",
      },
      ...outputFlags,
      json,
    ],
    load: () => import("../commands/finish.ts").then((m) => m.complete),
  },
  {
    name: "fail",
    summary: "Mark a running task failed with an error message",
    args: [{ name: "id", required: true, help: "task ID" }],
    flags: [
      {
        name: "error",
        short: "e",
        type: "string",
        value: "MESSAGE",
        help: "(required) what went wrong",
      },
      ...outputFlags,
      json,
    ],
    load: () => import("../commands/finish.ts").then((m) => m.fail),
  },
  {
    name: "tasks",
    summary: "List tasks, newest first",
    flags: [
      {
        name: "status",
        type: "string",
        value: "STATUS",
        help: "queued, running, succeeded or failed",
      },
      { name: "stream", short: "s", type: "string", value: "NAME", help: "only this stream" },
      { name: "stale", type: "boolean", help: "only running tasks past their timeout" },
      {
        name: "limit",
        short: "n",
        type: "int",
        value: "N",
        help: `at most N tasks (default ${TASK_LIST_DEFAULT}, up to ${TASK_LIST_MAX})`,
      },
      json,
    ],
    load: () => import("../commands/tasks.ts").then((m) => m.tasks),
  },
  {
    name: "task",
    summary: "Show everything about one task",
    args: [{ name: "id", required: true, help: "task ID" }],
    flags: [json],
    load: () => import("../commands/task.ts").then((m) => m.task),
  },
  {
    name: "requeue",
    summary: "Queue a copy of a failed task; prints the new ID",
    args: [{ name: "id", required: true, help: "the failed task's ID" }],
    flags: [{
      name: "stream",
      short: "s",
      type: "string",
      value: "NAME",
      help: "put the copy in this stream",
    }, json],
    load: () => import("../commands/requeue.ts").then((m) => m.requeue),
  },
  {
    name: "purge",
    summary: "Delete succeeded and failed tasks older than a duration",
    flags: [{
      name: "older-than",
      type: "string",
      value: "DURATION",
      help: "e.g. 3d, 12h, 1w (default: purge.older_than_days)",
    }],
    load: () => import("../commands/purge.ts").then((m) => m.purge),
  },
  {
    name: "tools",
    summary: "List the tool registry",
    flags: [json],
    load: () => import("../commands/tools.ts").then((m) => m.tools),
  },
  {
    name: "scripts",
    summary: "List the script index",
    flags: [json],
    load: () => loadCold<typeof ServerCold>("server").then((m) => m.scripts),
  },
  {
    name: "run",
    summary: "Start the server (and watchers: pick a stream, or all of --session)",
    flags: [
      {
        name: "session",
        short: "s",
        type: "string",
        value: "NAME",
        help: "start watchers for every active stream of this session",
      },
      { name: "no-watchers", type: "boolean", help: "start only the server" },
    ],
    load: () => loadCold<typeof ServerCold>("server").then((m) => m.run),
  },
  {
    name: "stop",
    summary: "Stop the server and watchers, or one stream's watcher",
    flags: [{
      name: "stream",
      short: "s",
      type: "string",
      value: "NAME",
      help: "stop only this stream's watcher",
    }],
    load: () => import("../commands/stop.ts").then((m) => m.stop),
  },
  {
    name: "watch",
    summary: "Run the watcher of a stream (wakes its worker through a FIFO)",
    args: [{ name: "stream", required: true, help: "stream name" }],
    load: () => import("../commands/watch.ts").then((m) => m.watch),
  },
  {
    name: "wait",
    summary: "Block until a task is claimable, claim it and print it",
    flags: [
      streamReq,
      {
        name: "timeout",
        short: "t",
        type: "int",
        value: "SECONDS",
        help: "give up after this long (exit 0, no output)",
      },
    ],
    load: () => import("../commands/wait.ts").then((m) => m.wait),
  },
  {
    name: "completions",
    summary: "Print a shell completion script (bash or zsh)",
    args: [{ name: "shell", required: true, help: "bash or zsh" }],
    load: () => import("../commands/completions.ts").then((m) => m.completions),
  },
];
