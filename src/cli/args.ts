/**
 * Command-line parsing against the command table: the command path, positionals and
 * flags (`--flag value`, `--flag=value`, `-f value`, `--` ends flags, `-` is a
 * positional meaning stdin). It enforces what the table declares — value kinds,
 * choices, required flags and arguments, either-or groups, arguments that may be
 * given as a flag — and writes usage lines. Every mistake is a usage error (exit 2)
 * that names the bad token and suggests a fix.
 */
import { isSparkqError, usageError } from "../core/errors.ts";
import { didYouMean } from "../core/suggest.ts";
import { parseDuration } from "../engine/validate.ts";
import { GLOBAL_FLAGS, PLACEHOLDER } from "./table.ts";
import type { ArgDecl, CommandSpec, FlagDecl, Invocation } from "./spec.ts";

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

/** The flags of a command, global ones last, as `[name, declaration]` pairs. */
export function flagsOf(spec: CommandSpec): [string, FlagDecl][] {
  return [...Object.entries(spec.flags ?? {}), ...Object.entries(GLOBAL_FLAGS)];
}

/** Parses the arguments after the command name against the command's declaration. */
export function parseArgs(spec: CommandSpec, rest: string[], cwd: string): Invocation {
  const all = flagsOf(spec);
  const byLong = new Map(all);
  const byShort = new Map(all.filter(([, f]) => f.short).map(([n, f]) => [f.short!, n]));
  const raw = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const usage = usageLine(spec);
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
    let name: string | undefined;
    let inline: string | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
      if (!byLong.has(name)) name = undefined;
    } else {
      name = byShort.get(token.slice(1, 2));
      inline = token.length > 2 ? token.slice(2).replace(/^=/, "") : undefined;
    }
    const flag = name === undefined ? undefined : byLong.get(name);
    if (name === undefined || !flag) {
      const given = token.startsWith("--") ? token.slice(2).split("=")[0] : token.slice(1, 2);
      const guess = didYouMean(given, all.map(([n]) => n));
      throw usageError(
        `unknown flag '${token.split("=")[0]}' for 'sparkq ${spec.name}'`,
        guess ? `did you mean '--${guess}'?` : `run 'sparkq ${spec.name} --help' for its flags`,
      );
    }
    if (flag.kind === "bool") {
      if (inline !== undefined && !/^(true|false)$/.test(inline)) {
        throw usageError(`--${name} takes no value (got '${inline}')`);
      }
      raw.set(name, inline !== "false");
      continue;
    }
    let value: string;
    if (inline !== undefined) {
      value = inline;
    } else if (i + 1 < rest.length && (rest[i + 1] === "-" || !rest[i + 1].startsWith("--"))) {
      value = rest[++i];
    } else {
      throw usageError(`--${name} needs a value (${placeholder(flag)})`, usage);
    }
    if (flag.multiple) {
      const list = raw.get(name);
      raw.set(name, [...(Array.isArray(list) ? list : []), value]);
    } else {
      raw.set(name, value);
    }
  }

  const flags: Invocation["flags"] = { help: raw.get("help") === true };
  if (flags.help) return { command: spec.name, args: {}, flags, cwd, usage };

  // Positionals: in order; one declared with `flag` lands on that flag.
  const argDecls = spec.args ?? [];
  if (positionals.length > argDecls.length) {
    throw usageError(
      `unexpected argument '${positionals[argDecls.length]}' for 'sparkq ${spec.name}'`,
      usage,
    );
  }
  const args: Invocation["args"] = {};
  argDecls.forEach((a, i) => {
    const given = positionals[i];
    if (given !== undefined) checkChoice(a, given, `<${a.name}>`);
    if (!a.flag) {
      if (given === undefined && a.required) {
        throw usageError(`missing argument <${a.name}> for 'sparkq ${spec.name}'`, usage);
      }
      args[a.name] = given;
      return;
    }
    const asFlag = raw.get(a.flag);
    if (given !== undefined && typeof asFlag === "string" && asFlag !== "" && asFlag !== given) {
      throw usageError(
        `the ${a.name} is given twice and differs: '${given}' and --${a.flag} '${asFlag}'`,
        usage,
      );
    }
    if (given !== undefined) raw.set(a.flag, given);
  });

  for (const [name, f] of all) {
    const value = raw.get(name);
    if (f.kind === "bool") {
      if (name !== "help") flags[name] = value === true;
      continue;
    }
    if (value === undefined || (value === "" && isName(f))) {
      if (f.required) throw usageError(`--${name} is required`, usage);
      continue;
    }
    flags[name] = Array.isArray(value)
      ? value.map((v) => typed(name, f, v))
      : typed(name, f, String(value));
  }

  for (const g of spec.groups ?? []) {
    const given = g.flags.filter((n) => raw.get(n) !== undefined);
    if (g.exclusive && given.length > 1) {
      throw usageError(
        given.length === 2
          ? `give --${given[0]} or --${given[1]}, not both`
          : `give only one of ${given.map((n) => `--${n}`).join(", ")}`,
        usage,
      );
    }
    if (g.required && given.length === 0) {
      const [first, ...others] = g.flags;
      throw usageError(
        `--${first} (or ${others.map((n) => `--${n}`).join(" or ")}) is required`,
        usage,
      );
    }
  }
  return { command: spec.name, args, flags, cwd, usage };
}

/** A name kind: an empty value is no name at all. */
function isName(f: FlagDecl): boolean {
  return f.kind === "stream" || f.kind === "session" || f.kind === "tool";
}

/** Checks and converts one flag value to its kind's type. */
function typed(name: string, f: FlagDecl, value: string): unknown {
  checkChoice(f, value, `--${name}`);
  if (f.kind === "int") {
    if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
      throw usageError(`--${name} must be a positive whole number (got '${value}')`);
    }
    return Number(value);
  }
  if (f.kind === "duration") {
    try {
      return { text: value, ms: parseDuration(value) };
    } catch (e) {
      if (isSparkqError(e)) throw usageError(`--${name}: ${e.message}`, e.hint);
      throw e;
    }
  }
  return value;
}

function checkChoice(d: FlagDecl | ArgDecl, value: string, label: string): void {
  if (!d.choices || d.choices.includes(value)) return;
  if ("hidden" in d && d.hidden?.includes(value)) return;
  throw usageError(`${label} must be one of ${d.choices.join(", ")} (got '${value}')`);
}

/** How a flag's value is shown: its placeholder, or its choices. */
export function placeholder(f: FlagDecl): string {
  return f.value ?? (f.choices ? f.choices.join("|") : PLACEHOLDER[f.kind]);
}

/** `--name VALUE` (or just `--name` for a boolean). */
function flagForm(name: string, f: FlagDecl): string {
  return f.kind === "bool" ? `--${name}` : `--${name} ${placeholder(f)}`;
}

/**
 * The `usage: …` line of a command, from its declaration: arguments (`<required>`,
 * `[optional]`, `<stream>|--stream NAME` for one that may be a flag), required flags,
 * required groups as `(--a X|--b Y)`, then `[flags]` when it has optional ones.
 */
export function usageLine(spec: CommandSpec): string {
  const flags = spec.flags ?? {};
  const shown = new Set<string>();
  const words = [spec.name];
  for (const a of spec.args ?? []) {
    let word = a.choices ? a.choices.join("|") : a.name;
    if (a.flag && flags[a.flag]) {
      shown.add(a.flag);
      word = `<${word}>|${flagForm(a.flag, flags[a.flag])}`;
      words.push(a.required || flags[a.flag].required ? word : `[${word}]`);
    } else {
      words.push(a.required ? `<${word}>` : `[${word}]`);
    }
  }
  for (const [name, f] of Object.entries(flags)) {
    if (f.required && !shown.has(name)) {
      shown.add(name);
      words.push(flagForm(name, f));
    }
  }
  for (const g of spec.groups ?? []) {
    if (!g.required) continue;
    g.flags.forEach((n) => shown.add(n));
    words.push(`(${g.flags.map((n) => flagForm(n, flags[n])).join("|")})`);
  }
  const more = Object.keys(flags).some((n) => !shown.has(n));
  return `usage: sparkq ${words.join(" ")}${more ? " [flags]" : ""}`;
}
