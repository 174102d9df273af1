#!/bin/sh
# The network permission SparkQ's PostgreSQL store needs, worked out before Deno starts:
# prints `--allow-net=HOST:PORT` for the database URL in effect, or nothing when there
# is none (the SQLite file, the default).
#
# The URL in effect is the program's (src/config/load.ts): $SPARKQ_DATABASE_URL, else
# the `url:` line under `database:` in the sparkq.yml the program would use: --config
# PATH, else $SPARKQ_CONFIG, else the first sparkq.yml in the user's directory or its
# parents that SparkQ may read, else $SPARKQ_DEFAULT_CONFIG (the launcher's folder's).
# A postgres:// URL given to --database-url, --to or --from (setup, db copy) is added
# too. Default port 5432; an IPv6 host in brackets. A URL this cannot read (an unusual
# host, a flow-style `database: {…}`) gets no entry: the program then refuses with
# "not allowed to connect to HOST:PORT" and says what to do.
#
# Two users, one source:
#   - the launcher ./sparkq: scripts/build.ts copies the functions between the BEGIN
#     and END lines into it, which calls them with the command's arguments;
#   - `deno task sparkq`: its --allow-net word is followed by
#     `$(sh scripts/db_net.sh ..,/tmp)` (the task's --allow-read value); a task cannot
#     see its own arguments, so there only the environment and the files count.
# Usage as a command: sh db_net.sh READABLE [ARGS...]  (READABLE: the folders SparkQ
# may read, comma-separated, relative ones to the current directory; the user's
# directory is $INIT_CWD, else the current one).
#
# Start-up time matters (the launcher runs this before every command, SQLite or not):
# the functions use only shell built-ins and parameter expansion, and stop reading
# sparkq.yml at the end of its `database:` block.

# BEGIN sparkq_db_net (inlined into the launcher)
# sparkq_db_net CWD READABLE ARGS...: sets sparkq_net to --allow-net=HOST:PORT[,...]
# or to nothing (see scripts/db_net.sh).
sparkq_db_net() {
  sparkq_net= _sq_hosts= _sq_cwd=$1 _sq_readable=$2 _sq_cfg=${SPARKQ_CONFIG-}
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --) break ;;
      --config=*) _sq_cfg=${1#*=} ;;
      --database-url=* | --to=* | --from=*) _sq_db_host "${1#*=}" ;;
      --config | --database-url | --to | --from)
        [ $# -gt 1 ] || break
        if [ "$1" = --config ]; then _sq_cfg=$2; else _sq_db_host "$2"; fi
        shift
        ;;
    esac
    shift
  done
  if [ -n "${SPARKQ_DATABASE_URL-}" ]; then
    _sq_db_host "$SPARKQ_DATABASE_URL"
  else
    _sq_file=
    if [ -n "$_sq_cfg" ]; then
      case $_sq_cfg in
        /*) _sq_file=$_sq_cfg ;;
        *) _sq_file=$_sq_cwd/$_sq_cfg ;;
      esac
    else
      _sq_dir=${_sq_cwd%/}
      while :; do
        if [ -f "$_sq_dir/sparkq.yml" ] && _sq_may_read "$_sq_dir/sparkq.yml"; then
          _sq_file=$_sq_dir/sparkq.yml
          break
        fi
        [ -n "$_sq_dir" ] || break
        _sq_dir=${_sq_dir%/*}
      done
      if [ -z "$_sq_file" ] && [ -n "${SPARKQ_DEFAULT_CONFIG-}" ] &&
        _sq_may_read "$SPARKQ_DEFAULT_CONFIG"; then
        _sq_file=$SPARKQ_DEFAULT_CONFIG
      fi
    fi
    if [ -n "$_sq_file" ] && [ -f "$_sq_file" ]; then
      _sq_in=
      while IFS= read -r _sq_line || [ -n "$_sq_line" ]; do
        case $_sq_line in
          database:*)
            _sq_in=1
            continue
            ;;
          '#'* | '' | [[:space:]]*) ;;
          *)
            [ -z "$_sq_in" ] || break
            continue
            ;;
        esac
        [ -n "$_sq_in" ] || continue
        _sq_line=${_sq_line#"${_sq_line%%[![:space:]]*}"}
        case $_sq_line in
          url:*)
            _sq_line=${_sq_line#url:}
            _sq_line=${_sq_line#"${_sq_line%%[![:space:]]*}"}
            case $_sq_line in
              \"*) _sq_line=${_sq_line#\"} _sq_line=${_sq_line%%\"*} ;;
              \'*) _sq_line=${_sq_line#\'} _sq_line=${_sq_line%%\'*} ;;
              *) _sq_line=${_sq_line%%[[:space:]]#*} _sq_line=${_sq_line%%[[:space:]]*} ;;
            esac
            _sq_db_host "$_sq_line"
            break
            ;;
        esac
      done <"$_sq_file"
    fi
  fi
  [ -z "$_sq_hosts" ] || sparkq_net=--allow-net=$_sq_hosts
}

# _sq_may_read PATH: true when PATH is inside one of the folders in $_sq_readable.
_sq_may_read() {
  _sq_list=$_sq_readable,
  while [ -n "$_sq_list" ]; do
    _sq_root=${_sq_list%%,*}
    _sq_list=${_sq_list#*,}
    [ -n "$_sq_root" ] || continue
    case $1 in
      "$_sq_root" | "${_sq_root%/}"/*) return 0 ;;
    esac
  done
  return 1
}

# _sq_db_host URL: adds HOST:PORT of a postgres:// URL to $_sq_hosts (nothing for
# anything else, or for a host or port that --allow-net could not take).
_sq_db_host() {
  case $1 in
    postgres://* | postgresql://*) ;;
    *) return 0 ;;
  esac
  _sq_a=${1#*://}
  _sq_a=${_sq_a%%[/?#]*}
  _sq_a=${_sq_a##*@}
  case $_sq_a in
    \[*\]*)
      _sq_h=${_sq_a%%\]*}\]
      case $_sq_h in \[*[!0-9A-Fa-f:.]*\] | \[\]) return 0 ;; esac
      ;;
    *)
      _sq_h=${_sq_a%%:*}
      case $_sq_h in '' | *[!0-9A-Za-z._-]*) return 0 ;; esac
      ;;
  esac
  _sq_p=${_sq_a#"$_sq_h"}
  case $_sq_p in
    '' | :) _sq_p=5432 ;;
    :*) _sq_p=${_sq_p#:} ;;
    *) return 0 ;;
  esac
  case $_sq_p in ??????* | *[!0-9]*) return 0 ;; esac
  [ "$_sq_p" -le 65535 ] || return 0
  _sq_hosts=${_sq_hosts:+$_sq_hosts,}$_sq_h:$_sq_p
}
# END sparkq_db_net

# As a command: resolve the readable folders from the current directory (where
# `deno task` runs, and where Deno resolves the task's relative paths), then print.
sparkq_here=$PWD
sparkq_readable=
set -f
IFS=,
for sparkq_r in ${1-}; do
  case $sparkq_r in
    /*) ;;
    *) CDPATH='' cd -P -- "$sparkq_r" 2>/dev/null && sparkq_r=$PWD && cd -- "$sparkq_here" ;;
  esac
  sparkq_readable=${sparkq_readable:+$sparkq_readable,}$sparkq_r
done
unset IFS
set +f
[ $# -eq 0 ] || shift
sparkq_db_net "${INIT_CWD:-$PWD}" "$sparkq_readable" "$@"
[ -z "$sparkq_net" ] || printf '%s\n' "$sparkq_net"
