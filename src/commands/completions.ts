/**
 * `sparkq completions bash|zsh`: prints a shell completion script generated from the
 * command table (commands, subcommands, flags, which flag takes which kind of value).
 *
 * Names that live in the database are fetched when Tab is pressed, by calling the
 * same `sparkq` the user is completing with a hidden argument:
 * `sparkq completions __streams|__sessions|__tools` prints one name per line (and
 * nothing, exit 0, when there is no project), so completion never shows an error.
 */
import { COMMANDS, GLOBAL_FLAGS, type Inv, NAME_LISTINGS, type SHELLS } from "../cli/table.ts";
import { flagsOf } from "../cli/args.ts";
import { openProject } from "../cli/context.ts";
import { line, write } from "../platform/terminal.ts";
import type { ArgDecl, CommandSpec, FlagDecl } from "../cli/spec.ts";
import { listSessions } from "../engine/sessions.ts";
import { listStreams } from "../engine/streams.ts";
import { listTools } from "../engine/tools.ts";

/**
 * What a flag value or positional argument is completed with: a name from the
 * database, a path, fixed words (`w:a b`), or nothing (`value`: free text).
 */
type Completion = "stream" | "session" | "tool" | "file" | "dir" | "value" | `w:${string}`;

const LISTINGS: Record<
  typeof NAME_LISTINGS[number],
  (inv: Inv<"completions">) => Promise<string[]>
> = {
  __streams: async (inv) => listStreams(await openProject(inv)).map((s) => s.name),
  __sessions: async (inv) => listSessions(await openProject(inv)).map((s) => s.name),
  __tools: async (inv) => listTools((await openProject(inv)).config).map((t) => t.name),
};

/** `completions <bash|zsh>` (and the hidden name listings the scripts call). */
export async function completions(inv: Inv<"completions">): Promise<number> {
  const shell = inv.args.shell;
  if (shell === "bash" || shell === "zsh") write(completionScript(shell));
  else {
    try {
      const names = await LISTINGS[shell](inv);
      if (names.length) line(names.join("\n"));
    } catch { /* no project here, or no database: complete nothing */ }
  }
  return 0;
}

/**
 * The completion script of `shell`, generated from the command table (stored copies
 * in tests/fixtures/completions/, written by `deno task fixtures`).
 */
export function completionScript(
  shell: typeof SHELLS[number],
  commands: CommandSpec[] = COMMANDS,
): string {
  return shell === "bash" ? bashScript(commands) : zshScript(commands);
}

/** How a declared value is completed, from its kind and choices. */
function completionOf(d: FlagDecl | ArgDecl): Completion | undefined {
  if (d.kind === "bool") return undefined;
  if (d.choices) return `w:${d.choices.join(" ")}`;
  switch (d.kind) {
    case "stream":
    case "session":
    case "tool":
    case "file":
    case "dir":
      return d.kind;
    default:
      return "value";
  }
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The shell functions both scripts share (POSIX syntax that bash and zsh both run):
 * the command table as `case` statements, and `__sparkq_candidates CUR WORD…`, which
 * prints the candidates for CUR given the words before it, separated by white space
 * (names never contain any), or `@file` / `@dir` when the shell should complete paths.
 */
export function sharedFunctions(commands: CommandSpec[]): string {
  const groups = [
    ...new Set(commands.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0])),
  ];
  const top = [...new Set(commands.map((c) => c.name.split(" ")[0])), "help"];
  const subs = groups.map((g) =>
    `    ${q(g)}) echo ${
      q(
        commands.filter((c) => c.name.startsWith(g + " ")).map((c) => c.name.split(" ")[1]).join(
          " ",
        ),
      )
    } ;;`
  );
  const flagLists = commands.map((c) => {
    const names = flagsOf(c).flatMap(([name, f]) =>
      f.short ? [`--${name}`, `-${f.short}`] : [`--${name}`]
    );
    return `    ${q(c.name)}) echo ${q(names.join(" "))} ;;`;
  });
  const kinds: string[] = [];
  for (const c of commands) {
    for (const [name, f] of Object.entries(c.flags ?? {})) {
      const k = completionOf(f);
      if (!k) continue; // booleans are the default
      const pats = [`--${name}`, ...(f.short ? [`-${f.short}`] : [])].map((n) =>
        q(`${c.name}|${n}`)
      );
      kinds.push(`    ${pats.join("|")}) echo ${q(k)} ;;`);
    }
  }
  for (const [name, f] of Object.entries(GLOBAL_FLAGS)) {
    const k = completionOf(f);
    if (k) kinds.push(`    *${q(`|--${name}`)}) echo ${q(k)} ;;`);
  }
  const args: string[] = [];
  for (const c of commands) {
    (c.args ?? []).forEach((a, i) =>
      args.push(`    ${q(`${c.name}|${i}`)}) echo ${q(completionOf(a) ?? "value")} ;;`)
    );
  }
  return `__sparkq_subcommands() {
  case "$1" in
${subs.join("\n")}
  esac
}
__sparkq_flags() {
  case "$1" in
${flagLists.join("\n")}
    *) echo '--help --version --config' ;;
  esac
}
# "<command>|<flag>" -> bool, value, stream, session, tool, file, dir or w:<words>
__sparkq_flag_kind() {
  case "$1|$2" in
${kinds.join("\n")}
    *) echo bool ;;
  esac
}
# "<command>|<position>" -> the kind of that positional argument
__sparkq_arg_kind() {
  case "$1|$2" in
${args.join("\n")}
  esac
}
# Names from the database, through the sparkq being completed (quiet on any error).
__sparkq_names() {
  if [ -n "$__sparkq_config" ]; then
    "$__sparkq_bin" completions "__$1" --config "$__sparkq_config" 2>/dev/null
  else
    "$__sparkq_bin" completions "__$1" 2>/dev/null
  fi
}
__sparkq_values() {
  case "$1" in
    stream) __sparkq_names streams ;;
    session) __sparkq_names sessions ;;
    tool) __sparkq_names tools ;;
    file) echo @file ;;
    dir) echo @dir ;;
    w:*) echo "\${1#w:}" ;;
  esac
}
# __sparkq_candidates CUR WORD... (the words after the program name, before CUR)
__sparkq_candidates() {
  __sparkq_cur=$1; shift
  __sparkq_cmd=""; __sparkq_expect=""; __sparkq_pos=0; __sparkq_config=""
  while [ $# -gt 0 ]; do
    __sparkq_word=$1; shift
    if [ -n "$__sparkq_expect" ]; then
      [ "$__sparkq_expect" = "--config" ] && __sparkq_config=$__sparkq_word
      __sparkq_expect=""
      continue
    fi
    case "$__sparkq_word" in
      --config=*) __sparkq_config=\${__sparkq_word#--config=} ;;
      --*=*) ;;
      -?*)
        if [ "$(__sparkq_flag_kind "$__sparkq_cmd" "$__sparkq_word")" != bool ]; then
          __sparkq_expect=$__sparkq_word
        fi ;;
      *)
        if [ -z "$__sparkq_cmd" ]; then
          __sparkq_cmd=$__sparkq_word
        elif [ "$__sparkq_cmd" = "\${__sparkq_cmd% *}" ] && [ -n "$(__sparkq_subcommands "$__sparkq_cmd")" ]; then
          __sparkq_cmd="$__sparkq_cmd $__sparkq_word"
        else
          __sparkq_pos=$((__sparkq_pos + 1))
        fi ;;
    esac
  done
  if [ -n "$__sparkq_expect" ]; then
    __sparkq_values "$(__sparkq_flag_kind "$__sparkq_cmd" "$__sparkq_expect")"
    return
  fi
  case "$__sparkq_cur" in
    --*=*) __sparkq_values "$(__sparkq_flag_kind "$__sparkq_cmd" "\${__sparkq_cur%%=*}")"; return ;;
    -*) __sparkq_flags "$__sparkq_cmd"; return ;;
  esac
  if [ -z "$__sparkq_cmd" ]; then
    echo ${q(top.join(" "))}
  elif [ "$__sparkq_cmd" = "\${__sparkq_cmd% *}" ] && [ -n "$(__sparkq_subcommands "$__sparkq_cmd")" ]; then
    __sparkq_subcommands "$__sparkq_cmd"
  else
    __sparkq_values "$(__sparkq_arg_kind "$__sparkq_cmd" "$__sparkq_pos")"
  fi
}
`;
}

/** The bash completion script. */
export function bashScript(commands: CommandSpec[]): string {
  return `# sparkq completion for bash. Load it with:
#   source <(sparkq completions bash)      (or save it under ~/.local/share/bash-completion/completions/sparkq)
${sharedFunctions(commands)}
_sparkq() {
  local i w cur joined=0
  local -a words=()
  # bash splits '--stream=auth' into '--stream' '=' 'auth': glue them back.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w == "=" && \${#words[@]} -gt 0 ]]; then
      words[\${#words[@]}-1]+="="; joined=1
    elif ((joined)); then
      words[\${#words[@]}-1]+="$w"; joined=0
    else
      words+=("$w")
    fi
  done
  ((\${#words[@]})) || words=("")
  cur="\${words[\${#words[@]}-1]}"
  local __sparkq_bin="\${COMP_WORDS[0]}"
  local out
  out="$(__sparkq_candidates "$cur" "\${words[@]:0:\${#words[@]}-1}")"
  [[ $cur == --*=* ]] && cur="\${cur#*=}"
  COMPREPLY=()
  case "$out" in
    @file) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
    @dir) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null ;;
    *) COMPREPLY=($(compgen -W "$out" -- "$cur")) ;;
  esac
}
complete -F _sparkq sparkq
`;
}

/** The zsh completion script. */
export function zshScript(commands: CommandSpec[]): string {
  return `#compdef sparkq
# sparkq completion for zsh. Load it with:
#   source <(sparkq completions zsh)      (after compinit)
${sharedFunctions(commands)}
_sparkq() {
  local __sparkq_bin="\${words[1]}" cur="\${words[CURRENT]}" out
  local -a before
  before=("\${(@)words[2,CURRENT-1]}")
  out="$(__sparkq_candidates "$cur" "\${(@)before}")"
  [[ $cur == --*=* ]] && compset -P '*='
  case "$out" in
    @file) _files ;;
    @dir) _files -/ ;;
    *) local -a cands; cands=(\${=out}); compadd -a cands ;;
  esac
}
compdef _sparkq sparkq
`;
}
