/**
 * The CLI's front door: finds the command, parses its arguments, runs its handler,
 * and turns every SparkqError into `Error: …` on stderr with its exit code.
 */
import { asDiskFull, errorBody, isSparkqError, SparkqError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { findCommand, flagsOf, parseArgs, placeholder, usageLine } from "./args.ts";
import { COMMANDS, runCommand } from "./commands.ts";
import { c, line, writeErr } from "../platform/terminal.ts";
import type { CommandSpec } from "./spec.ts";
import { userCwd } from "../config/paths.ts";
import { closeOpenStores } from "../storage/db.ts";

/** Runs one command line; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      line(mainHelp());
      return 0;
    }
    if (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version") {
      line(`sparkq ${VERSION}`);
      return 0;
    }
    const { spec, rest } = findCommand(argv, COMMANDS);
    const inv = parseArgs(spec, rest, userCwd());
    if (inv.flags.help) {
      line(commandHelp(spec));
      return 0;
    }
    return await runCommand(inv);
  } catch (e) {
    return report(e, argv.includes("--json"));
  } finally {
    closeOpenStores(); // a PostgreSQL store's thread would keep the process alive
  }
}

/**
 * Prints an error the way every SparkQ command does; returns its exit code. With
 * `json` (`--json` on the command line) the error is one line of JSON on stderr, the
 * API's error body `{"error", "code", "hint"?}` (SPEC §12.1).
 */
export function report(err: unknown, json = false): number {
  const e = isSparkqError(err) ? err : asDiskFull(err) ?? err;
  const known = isSparkqError(e)
    ? e
    : e instanceof Deno.errors.NotCapable
    ? new SparkqError(e.message.replace(/, run again with.*$/, ""), {
      code: "permission",
      hint:
        "SparkQ runs with narrow permissions: it writes only inside its folder and the temp dir (see README: Permissions)",
    })
    : undefined;
  if (known) {
    if (json) writeErr(JSON.stringify(errorBody(known)) + "\n");
    else writeErr(`Error: ${known.message}\n${known.hint ? known.hint + "\n" : ""}`);
    return known.exitCode;
  }
  const msg = `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
  if (json) writeErr(JSON.stringify({ error: msg, code: "internal" }) + "\n");
  else writeErr(`Error: ${msg}\n`);
  if (Deno.env.get("SPARKQ_DEBUG") && e instanceof Error) writeErr(`${e.stack}\n`);
  return 1;
}

function mainHelp(): string {
  const groups: [string, string[]][] = [
    ["Set up", ["setup", "status", "reload", "tools", "scripts", "db copy"]],
    ["Sessions and streams", [
      "session create",
      "session list",
      "session end",
      "stream create",
      "stream list",
      "stream end",
    ]],
    ["Queue", [
      "enqueue",
      "peek",
      "claim",
      "complete",
      "fail",
      "heartbeat",
      "tasks",
      "task",
      "requeue",
      "purge",
    ]],
    ["Review", ["report", "follow"]],
    ["Server and workers", ["run", "stop", "watch", "wait", "mcp"]],
    ["Shell", ["completions"]],
  ];
  const byName = new Map(COMMANDS.map((cmd) => [cmd.name, cmd]));
  const out = [
    `${c.bold("sparkq")} ${VERSION} — queue work, walk away, review results later`,
    "",
    "usage: sparkq <command> [arguments] [flags]",
  ];
  for (const [title, names] of groups) {
    out.push("", c.bold(title));
    for (const n of names) out.push(`  ${n.padEnd(16)} ${byName.get(n)?.summary ?? ""}`);
  }
  out.push(
    "",
    "Every command takes --config PATH and --help. Listings and details take --json.",
    "Run 'sparkq <command> --help' for a command's flags.",
  );
  return out.join("\n");
}

function commandHelp(spec: CommandSpec): string {
  const out = [spec.summary, "", usageLine(spec)];
  if (spec.args?.length) {
    out.push("", c.bold("Arguments"));
    for (const a of spec.args) {
      const more = a.choices ? ` (${a.choices.join(", ")})` : a.required ? "" : " (optional)";
      out.push(`  ${`<${a.name}>`.padEnd(24)} ${a.help}${more}`);
    }
  }
  out.push("", c.bold("Flags"));
  for (const [name, f] of flagsOf(spec)) {
    const value = f.kind === "bool" ? "" : ` ${placeholder(f)}`;
    const names = `${f.short ? `-${f.short}, ` : "    "}--${name}${value}`;
    out.push(`  ${names.padEnd(24)} ${f.help}${f.required ? " (required)" : ""}`);
  }
  for (const g of spec.groups ?? []) {
    const names = g.flags.map((n) => `--${n}`).join(", ");
    if (g.required && g.exclusive) out.push(`  Give exactly one of ${names}.`);
    else if (g.required) out.push(`  Give at least one of ${names}.`);
    else if (g.exclusive) out.push(`  Give at most one of ${names}.`);
  }
  if (spec.details) out.push("", spec.details);
  return out.join("\n");
}
