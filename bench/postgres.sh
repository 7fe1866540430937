#!/usr/bin/env bash
# Runs bench scripts against a throwaway PostgreSQL cluster on this machine (durable commits: fsync on), the
# servers each in a schema of their own: BENCH_DATABASE_URL is set for the scripts (bench/lib.sh).
#   make release && bench/postgres.sh bench/lookups.sh bench/rush.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PG_FSYNC=on exec "$here/../.ci/with-postgres.sh" bash -c '
  set -euo pipefail
  export BENCH_DATABASE_URL=$MINZHENG_TEST_DATABASE_URL
  for script in "$@"; do echo "== $script on PostgreSQL" >&2; "$script"; done' _ "$@"
