#!/usr/bin/env bash
# ./sparkq-watcher.sh <stream> [--paths] — the same as `sparkq watch <stream>` (the seed's habit).
# Runs the stream's watcher in the foreground; stop it with Ctrl-C,
# `sparkq stop --stream <stream>`, or SIGTERM. With --paths it prints where the
# stream's lock, FIFO and done flag are ({"lock","fifo","done"} as JSON: they live in
# a directory private to you, $SPARKQ_TMPDIR or /tmp/sparkq-<uid>) and exits.
# See WORKER_PLAYBOOK.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || [ "${1:0:1}" = "-" ] ||
  { [ "$#" -eq 2 ] && [ "$2" != "--paths" ]; }; then
  echo "usage: $0 <stream> [--paths]" >&2
  exit 2
fi
if [ -x "$here/sparkq" ]; then
  exec "$here/sparkq" watch "$@"
fi
# `deno task` keeps the caller's directory in INIT_CWD, so sparkq.yml is found from there.
exec deno task -q --config "$here/deno.json" sparkq watch "$@"
