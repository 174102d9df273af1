#!/usr/bin/env bash
# ./sparkq-watcher.sh <stream> — the same as `sparkq watch <stream>` (the seed's habit).
# Runs the stream's watcher in the foreground; stop it with Ctrl-C,
# `sparkq stop --stream <stream>`, or SIGTERM. See WORKER_PLAYBOOK.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -ne 1 ] || [ "${1:0:1}" = "-" ]; then
  echo "usage: $0 <stream>" >&2
  exit 2
fi
if [ -x "$here/sparkq" ]; then
  exec "$here/sparkq" watch "$1"
fi
# `deno task` keeps the caller's directory in INIT_CWD, so sparkq.yml is found from there.
exec deno task -q --config "$here/deno.json" sparkq watch "$1"
