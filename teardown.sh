#!/bin/sh
# SparkQ teardown: stops SparkQ and removes everything it created, so this folder
# can be deleted.
#
#   ./teardown.sh           asks first (on a terminal)
#   ./teardown.sh --yes     no question (needed without a terminal)
#   ./teardown.sh --all     also delete sparkq.yml (kept by default: it is your
#                           configuration, and 'sparkq setup' would recreate it)
#
# It stops the server and the watchers, then deletes: the database (database.path of
# sparkq.yml, with -wal/-shm), sparkq.lock, the config cache .sparkq.yml.cache.json,
# the temp files of THIS project's streams (<tmp>/sparkq-<stream>.lock, -pipe, -done in
# the private <tmp> = $SPARKQ_TMPDIR or /tmp/sparkq-<uid>; stream names are read from the
# database first, other projects' files are left alone), dist/, the launcher ./sparkq
# and .tools/ (the Deno that setup.sh installed).
# Deno's download cache (~/.cache/deno) is shared with other Deno programs and kept.
set -u

dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
cd "$dir" || exit 1
export RUST_BACKTRACE=0
tmp=${SPARKQ_TMPDIR:-/tmp/sparkq-$(id -u)}  # the private dir of watcher files (SPEC §12.4)
yes=0
all=0
for arg in "$@"; do
  case "$arg" in
    -y | --yes) yes=1 ;;
    --all) all=1 ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      printf "Error: unknown argument '%s' (usage: ./teardown.sh [--yes] [--all])\n" "$arg" >&2
      exit 2
      ;;
  esac
done

say() { printf '%s\n' "$*"; }

# Where things are: the config, the database named by it, the temp dir.
config="$dir/sparkq.yml"
db_rel=$(
  [ -f "$config" ] && awk '
    /^[^ #]/ { block = $0 }
    block ~ /^database:/ && /^[ ]+path:/ {
      sub(/^[ ]+path:[ ]*/, ""); sub(/[ ]+#.*$/, ""); gsub(/^["'\'']|["'\'']$/, ""); print; exit
    }' "$config"
)
db_rel=${db_rel:-sparkq.db}
case "$db_rel" in
  /*) db=$db_rel ;;
  *) db="$dir/$db_rel" ;;
esac

if [ "$yes" = 0 ]; then
  if [ ! -t 0 ]; then
    say "Error: teardown deletes the database ($db); pass --yes to confirm without a terminal" >&2
    exit 1
  fi
  printf 'Stop SparkQ and delete its database (%s), temp files, dist/ and .tools/? [y/N] ' "$db"
  read -r answer
  case "$answer" in
    y | Y | yes | YES) ;;
    *)
      say "Nothing deleted."
      exit 1
      ;;
  esac
fi

# A deno to ask the database with: PATH, else the one setup.sh installed.
if command -v deno >/dev/null 2>&1; then
  deno=deno
elif [ -x "$dir/.tools/node_modules/.bin/deno" ]; then
  deno="$dir/.tools/node_modules/.bin/deno"
else
  deno=""
fi

# 1. This project's stream names, before the database goes.
streams=""
if [ -f "$db" ]; then
  if [ -x "$dir/sparkq" ] && [ -f "$dir/dist/sparkq.js" ] && [ -f "$config" ]; then
    streams=$("$dir/sparkq" completions __streams --config "$config" 2>/dev/null)
  fi
  if [ -z "$streams" ] && [ -n "$deno" ]; then
    streams=$(
      "$deno" eval --no-config --quiet "
        import { DatabaseSync } from 'node:sqlite';
        const db = new DatabaseSync(Deno.args[0], { readOnly: true });
        for (const r of db.prepare('SELECT name FROM streams').all()) console.log(r.name);
      " "$db" 2>/dev/null
    )
  fi
fi
# Only names SparkQ accepts can become file names: never a path.
streams=$(printf '%s\n' "$streams" | grep -E '^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$' || true)

# 2. Stop the server and the watchers.
if [ -x "$dir/sparkq" ] && [ -f "$dir/dist/sparkq.js" ] && [ -f "$config" ] && [ -f "$db" ]; then
  "$dir/sparkq" stop --config "$config" || say "('sparkq stop' failed; stopping by lock files)"
fi
# Whatever still runs (or if 'sparkq stop' could not run): the PIDs in the lock
# files, if they are SparkQ processes (a stale lock may name a reused PID).
stop_pid_in() {
  [ -f "$1" ] || return 0
  pid=$(head -n 1 "$1" | tr -dc '0-9')
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  case "$(ps -o args= -p "$pid" 2>/dev/null)" in
    *sparkq*) ;;
    *) return 0 ;;
  esac
  kill -TERM "$pid" 2>/dev/null && say "Stopped PID $pid ($(basename "$1"))"
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
    sleep 0.2
    i=$((i + 1))
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  return 0
}
stop_pid_in "$dir/sparkq.lock"
for s in $streams; do stop_pid_in "$tmp/sparkq-$s.lock"; done

# 3. Delete.
removed=""
rm_path() {
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ] || [ -p "$p" ]; then
      rm -rf -- "$p" && removed="$removed
  $p"
    fi
  done
}
rm_path "$db" "$db-wal" "$db-shm" "$db-journal" "$dir/sparkq.lock" "$dir/.sparkq.yml.cache.json"
for s in $streams; do
  rm_path "$tmp/sparkq-$s.lock" "$tmp/sparkq-$s-pipe" "$tmp/sparkq-$s-done"
  for f in "$tmp/sparkq-$s.lock."*.tmp; do rm_path "$f"; done
done
rm_path "$dir/dist" "$dir/sparkq" "$dir/.tools" "$dir/test-output"
if [ "$all" = 1 ]; then rm_path "$config"; fi

if [ -n "$removed" ]; then say "Removed:$removed"; else say "Nothing to remove."; fi
if [ "$all" = 0 ] && [ -f "$config" ]; then
  say "Kept $config (your configuration; ./teardown.sh --all deletes it too)."
fi
say "SparkQ is stopped and its files are gone: this folder can now be deleted."
