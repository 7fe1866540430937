#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb in a temporary directory, a free loopback port,
# UTF-8 (pg_trgm needs it for Chinese), stopped and deleted afterwards. Installs postgresql when missing.
# The command sees MINZHENG_TEST_DATABASE_URL and MINZHENG_REQUIRE_POSTGRES=1.
#   .ci/with-postgres.sh swift test
set -euo pipefail

sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing postgresql" >&2
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

cluster=$(mktemp -d /tmp/minzheng-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The server refuses to run as root: as root, run it as the postgres user.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$cluster"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bindir/initdb" -D "$cluster/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 \
  || { cat "$cluster/initdb.log" >&2; exit 1; }
# fsync off: a test cluster that dies is thrown away anyway (PG_FSYNC=on for benchmarks, which must pay for
# durable commits as a real deployment does).
"${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
  -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=1000 -c shared_buffers=256MB" start >/dev/null \
  || { cat "$cluster/server.log" >&2; exit 1; }
stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$cluster"
}
trap stop EXIT
"${as_owner[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres minzheng_test

export MINZHENG_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/minzheng_test"
export MINZHENG_REQUIRE_POSTGRES=1
"$@"
