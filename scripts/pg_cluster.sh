#!/bin/sh
# Runs a command beside a throwaway PostgreSQL cluster, for the tests:
#
#   scripts/pg_cluster.sh COMMAND [ARGS]
#
# When PostgreSQL's server programs are installed (/usr/lib/postgresql/*/bin, the
# newest) and can run as an unprivileged user (root runs them as 'postgres' through
# runuser; anyone else runs them as themselves), it makes a cluster in a new folder
# under /tmp (initdb, trust authentication, user postgres), starts it on 127.0.0.1 at a
# free port with its socket in that folder, and runs COMMAND with
# SPARKQ_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres. The cluster is stopped
# and its folder removed when COMMAND ends, fails or is interrupted.
#
# fsync and synchronous_commit are off: the cluster lives for one test run and is
# deleted after it, so nothing needs to survive a power cut.
#
# Without PostgreSQL, or when SPARKQ_TEST_PG is already set (a server of the caller's),
# COMMAND runs as it is and no cluster is made: the PostgreSQL test suites then report
# themselves ignored (without SPARKQ_TEST_PG) or use the caller's server.
# The exit status is COMMAND's.
set -u

[ $# -gt 0 ] || {
  echo "usage: scripts/pg_cluster.sh COMMAND [ARGS]" >&2
  exit 2
}
note() { printf 'pg_cluster: %s\n' "$*" >&2; }

if [ -n "${SPARKQ_TEST_PG:-}" ]; then
  note "using SPARKQ_TEST_PG from the environment; no cluster started"
  exec "$@"
fi

# The newest installed server (Debian: /usr/lib/postgresql/<major>/bin).
bin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
  if [ -z "$bin" ] || [ "$(basename "$(dirname "$d")")" -gt "$(basename "$(dirname "$bin")")" ] 2>/dev/null; then
    bin=$d
  fi
done
if [ -z "$bin" ]; then
  note "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the PostgreSQL suites are skipped"
  exec "$@"
fi

# PostgreSQL refuses to run as root: root runs it as the 'postgres' user.
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1 || ! command -v runuser >/dev/null 2>&1; then
    note "running as root without a 'postgres' user or runuser: the PostgreSQL suites are skipped"
    exec "$@"
  fi
  as_pg() { (cd / && runuser -u postgres -- "$@"); } # from a folder it may enter
  owner=postgres
else
  as_pg() { "$@"; }
  owner=$(id -un)
fi

base=$(mktemp -d /tmp/sparkq-pg-XXXXXX) || {
  note "mktemp failed: the PostgreSQL suites are skipped"
  exec "$@"
}
chmod 700 "$base"
mkdir "$base/data" "$base/socket"
[ "$owner" = "$(id -un)" ] || chown -R "$owner" "$base"

started=""
cleanup() {
  if [ -n "$started" ]; then
    as_pg "$bin/pg_ctl" -D "$base/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf -- "$base"
}
child=""
# A signal to this script stops COMMAND too, then the cluster goes (the EXIT trap).
stop_child() {
  [ -z "$child" ] || kill -"$1" "$child" 2>/dev/null
  wait "$child" 2>/dev/null
  exit "$2"
}
trap cleanup EXIT
trap 'stop_child INT 130' INT
trap 'stop_child TERM 143' TERM
trap 'stop_child HUP 129' HUP

if ! as_pg "$bin/initdb" -D "$base/data" -A trust -U postgres -E UTF8 --no-locale \
  >"$base/initdb.log" 2>&1; then
  cat "$base/initdb.log" >&2
  note "initdb failed: the PostgreSQL suites are skipped"
  "$@"
  exit $?
fi

# A port free a moment ago; another program may take it first, so try a few.
free_port() {
  deno eval --no-config 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    console.log(l.addr.port); l.close();' 2>/dev/null
}
for _ in 1 2 3 4 5; do
  port=$(free_port)
  [ -n "$port" ] || break
  if as_pg "$bin/pg_ctl" -D "$base/data" -l "$base/data/server.log" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null 2>&1; then
    started=yes
    break
  fi
done
if [ -z "$started" ]; then
  tail -n 20 "$base/data/server.log" >&2 2>/dev/null
  note "the server did not start: the PostgreSQL suites are skipped"
  "$@"
  exit $?
fi

SPARKQ_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
export SPARKQ_TEST_PG
note "PostgreSQL $(basename "$(dirname "$bin")") at 127.0.0.1:$port (data in $base, removed at the end)"
"$@" &
child=$!
wait "$child"
status=$?
child=""
exit "$status"
