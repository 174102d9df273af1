#!/bin/sh
# SparkQ setup: makes this folder ready to run. Safe to run again at any time.
#
#   ./setup.sh          install Deno if needed, cache dependencies, type-check, build
#                       dist/sparkq.js and write the launcher ./sparkq
#   ./setup.sh test [ARGS]  the same, then run the test suite: deno task test [ARGS]
#                       (CI adds --junit-path=FILE); when PostgreSQL is installed, beside a
#                       throwaway cluster (scripts/pg_cluster.sh), so the suites in
#                       tests/pg run on it too; without it they are reported as ignored
#
# Deno: the one on PATH is used when it is version 2; otherwise Deno 2 is installed
# from npm into .tools/ (needs Node's npm). Nothing is installed outside this folder
# except Deno's own download cache (~/.cache/deno, or $DENO_DIR).
set -eu

dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
cd "$dir"
export RUST_BACKTRACE=0

say() { printf '%s\n' "$*"; }
fail() {
  printf 'Error: %s\n' "$*" >&2
  exit 1
}

case "${1:-}" in
  "" | test) ;;
  -h | --help)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (usage: ./setup.sh [test])" ;;
esac

# 1. Deno 2: PATH first, else .tools/, else install it there from npm.
deno_major() { "$1" --version 2>/dev/null | sed -n 's/^deno \([0-9][0-9]*\)\..*/\1/p'; }
if command -v deno >/dev/null 2>&1 && [ "$(deno_major deno)" = 2 ]; then
  say "Using $(deno --version | head -n 1) from $(command -v deno)"
else
  local_deno="$dir/.tools/node_modules/.bin/deno"
  if [ ! -x "$local_deno" ] || [ "$(deno_major "$local_deno")" != 2 ]; then
    command -v npm >/dev/null 2>&1 ||
      fail "Deno 2 is not installed and npm is not available to install it: install Node.js (for npm) or Deno 2 (https://deno.com), then run ./setup.sh again"
    say "Installing Deno 2 from npm into .tools/ ..."
    npm install --prefix "$dir/.tools" --no-audit --no-fund --loglevel=error --silent deno@2 ||
      fail "npm install deno@2 failed (see above)"
    [ -x "$local_deno" ] || fail "npm installed deno but $local_deno is missing"
  fi
  PATH="$dir/.tools/node_modules/.bin:$PATH"
  export PATH
  say "Using $(deno --version | head -n 1) from .tools/"
fi

# 2. Dependencies (pinned in deno.json and deno.lock) into Deno's cache.
say "Caching dependencies ..."
deno install --quiet || fail "could not fetch the dependencies (is the npm registry reachable?)"

# 3. Type-check the program.
say "Type-checking ..."
deno check --quiet main.ts src/ || fail "the program does not type-check (see above)"

# 4. Build dist/sparkq.js and the launcher ./sparkq.
say "Building ..."
deno task --quiet bundle || fail "the build failed (see above)"

if [ "${1:-}" = test ]; then
  [ -x /usr/bin/chromium ] ||
    say "Note: /usr/bin/chromium is missing, so the web UI tests will fail (apt-get install chromium)."
  shift
  say "Running the tests: deno task test $*"
  exec sh "$dir/scripts/pg_cluster.sh" deno task test "$@"
fi

say ""
say "SparkQ is ready. Next:"
say "  ./sparkq setup        configure this project (writes sparkq.yml and sparkq.db here)"
say "  ./sparkq --help       every command"
