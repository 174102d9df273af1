/**
 * Command-line parsing: the command path, positionals and flags (`--flag value`,
 * `--flag=value`, `-f value`, `--` ends flags, `-` is a positional meaning stdin).
 * Every mistake is a usage error (exit 2) that names the bad token and suggests a fix.
 */
import { usageError } from "../core/errors.ts";
import { didYouMean } from "../core/suggest.ts";
import type { CommandSpec, FlagSpec, Invocation } from "./spec.ts";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  {
    name: "config",
    type: "string",
    value: "PATH",
    help: "use this sparkq.yml (else $SPARKQ_CONFIG, else search upward)",
  },
  { name: "help", short: "h", type: "boolean", help: "show help" },
];

/**
 * Finds the command named by the leading words of `argv` (after any leading
 * `--config PATH`); returns it and the remaining tokens, global flags included.
 */
export function findCommand(
  argv: string[],
  commands: CommandSpec[],
): { spec: CommandSpec; rest: string[] } {
  const lead: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith("--config")) {
    lead.push(argv[i]);
    if (argv[i] === "--config" && i + 1 < argv.length) lead.push(argv[++i]);
    i++;
  }
  const first = argv[i] ?? "";
  const second = argv[i + 1];
  const byName = new Map(commands.map((c) => [c.name, c]));
  if (second !== undefined && byName.has(`${first} ${second}`)) {
    return { spec: byName.get(`${first} ${second}`)!, rest: [...lead, ...argv.slice(i + 2)] };
  }
  if (byName.has(first)) return { spec: byName.get(first)!, rest: [...lead, ...argv.slice(i + 1)] };
  const groups = new Set(
    commands.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]),
  );
  if (groups.has(first)) {
    const subs = commands.filter((c) => c.name.startsWith(first + " ")).map((c) =>
      c.name.split(" ")[1]
    );
    const sub = second && !second.startsWith("-") ? second : undefined;
    const guess = sub ? didYouMean(sub, subs) : undefined;
    throw usageError(
      sub
        ? `unknown command '${first} ${sub}'`
        : `'sparkq ${first}' needs a subcommand: ${subs.join(", ")}`,
      guess ? `did you mean 'sparkq ${first} ${guess}'?` : `run 'sparkq ${first} --help' for usage`,
    );
  }
  const names = [...new Set(commands.map((c) => c.name.split(" ")[0]))];
  const guess = didYouMean(first, names);
  throw usageError(
    `unknown command '${first}'`,
    guess ? `did you mean 'sparkq ${guess}'?` : "run 'sparkq --help' for the list of commands",
  );
}

/** Parses the arguments after the command name against the command's spec. */
export function parseArgs(spec: CommandSpec, rest: string[], cwd: string): Invocation {
  const flagSpecs = [...(spec.flags ?? []), ...GLOBAL_FLAGS];
  const byLong = new Map(flagSpecs.map((f) => [f.name, f]));
  const byShort = new Map(flagSpecs.filter((f) => f.short).map((f) => [f.short!, f]));
  const flags: Invocation["flags"] = {};
  const positionals: string[] = [];
  let onlyPositionals = false;

  for (let i = 0; i < rest.length; i++) {
    const token = rest[i];
    if (onlyPositionals || token === "-" || !token.startsWith("-") || /^-\d/.test(token)) {
      positionals.push(token);
      continue;
    }
    if (token === "--") {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let flag: FlagSpec | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
      flag = byLong.get(name);
    } else {
      name = token.slice(1, 2);
      inline = token.length > 2 ? token.slice(2).replace(/^=/, "") : undefined;
      flag = byShort.get(name);
    }
    if (!flag) {
      const guess = didYouMean(name, flagSpecs.map((f) => f.name));
      throw usageError(
        `unknown flag '${token.split("=")[0]}' for 'sparkq ${spec.name}'`,
        guess ? `did you mean '--${guess}'?` : `run 'sparkq ${spec.name} --help' for its flags`,
      );
    }
    let value: string | boolean;
    if (flag.type === "boolean") {
      if (inline !== undefined && !/^(true|false)$/.test(inline)) {
        throw usageError(`--${flag.name} takes no value (got '${inline}')`);
      }
      value = inline !== "false";
    } else if (inline !== undefined) {
      value = inline;
    } else if (i + 1 < rest.length && (rest[i + 1] === "-" || !rest[i + 1].startsWith("--"))) {
      value = rest[++i];
    } else {
      throw usageError(
        `--${flag.name} needs a value${flag.value ? ` (${flag.value})` : ""}`,
        usageLine(spec),
      );
    }
    const typed = flag.type === "int" ? toInt(flag, value as string) : value;
    if (flag.multiple) {
      const list = (flags[flag.name] as string[] | undefined) ?? [];
      list.push(String(typed));
      flags[flag.name] = list;
    } else {
      flags[flag.name] = typed;
    }
  }

  if (flags.help) return { command: spec.name, args: {}, flags, cwd };

  const argSpecs = spec.args ?? [];
  if (positionals.length > argSpecs.length) {
    throw usageError(
      `unexpected argument '${positionals[argSpecs.length]}' for 'sparkq ${spec.name}'`,
      usageLine(spec),
    );
  }
  const args: Invocation["args"] = {};
  argSpecs.forEach((a, i) => {
    if (positionals[i] === undefined && a.required) {
      throw usageError(`missing argument <${a.name}> for 'sparkq ${spec.name}'`, usageLine(spec));
    }
    args[a.name] = positionals[i];
  });
  return { command: spec.name, args, flags, cwd };
}

function toInt(flag: FlagSpec, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw usageError(`--${flag.name} must be a positive whole number (got '${raw}')`);
  }
  return Number(raw);
}

/** The `usage: …` line of a command. */
export function usageLine(spec: CommandSpec): string {
  const args = (spec.args ?? []).map((a) => a.required ? `<${a.name}>` : `[${a.name}]`);
  const required = (spec.flags ?? []).filter((f) => f.help.startsWith("(required)"));
  const req = required.map((f) => `--${f.name} ${f.value ?? "VALUE"}`);
  return `usage: sparkq ${[spec.name, ...args, ...req].join(" ")}${
    (spec.flags ?? []).length > required.length ? " [flags]" : ""
  }`;
}
