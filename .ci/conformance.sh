#!/usr/bin/env bash
# API conformance: schemathesis (from PyPI, in a virtualenv under .build/) generates requests for every operation
# of openapi/openapi.yaml against the release build, with an app's key, a citizen's and an admin's session, and
# checks that no answer is a server error, breaks its schema, has an undocumented status code or content type,
# or answers an undeclared method with anything but 405. Fixed seed and version: nearly the same cases every run
# (the counts still differ a little: 4,232, 4,243 and 4,248 in three runs).
#   .ci/conformance.sh            (make conformance; CI runs it; the whole report: .build/conformance-report.txt)
# Left out: schemathesis's "schema-valid request rejected" check. The document cannot say that a credit code's
# check character must match or that a division must exist, so such requests are rightly refused with 400/422.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.build/schemathesis"
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
if ! python3 -c 'import ensurepip' 2>/dev/null || ! command -v curl >/dev/null; then
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv curl >/dev/null
fi
# Pinned: the same version and seed make nearly the same cases.
[ -x "$venv/bin/schemathesis" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet 'schemathesis==4.32.5'; }

work=$(mktemp -d /tmp/minzheng-conformance.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export MINZHENG_DATA_DIR="$work/data" MINZHENG_SEED_DIR="$root/seed-data" MINZHENG_PORT=$port MINZHENG_LOG_LEVEL=error
# Thousands of requests from one address and three accounts: the limits are tested by LimitsTests, not here.
export MINZHENG_RATE_LIMITS=off MINZHENG_BOOKING_ATTEMPTS=off MINZHENG_APPLICATION_LOOKUPS=off MINZHENG_NOTIFY_WORKER=off
unset MINZHENG_DATABASE_URL
bin="$root/.build/release/minzheng"
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
key=$("$bin" clients create --name conformance 2>/dev/null | tail -n 1)
echo 'conformance password' | "$bin" staff create --username conformance --role admin --division 32 >/dev/null
staff=$(curl -sf -X POST "http://127.0.0.1:$port/v1/staff/sessions" -H 'Content-Type: application/json' \
  -d '{"username":"conformance","password":"conformance password"}' | json '["token"]')
citizen=$(curl -sf -X POST "http://127.0.0.1:$port/v1/citizen-sessions" -H 'Content-Type: application/json' -H "X-Client-Key: $key" \
  -d '{"subject":"conformance"}' | json '["token"]')

# Each operation with the credential its security scheme names. Invalid requests may also be refused as too
# large (413, 414, 431): the document says so for every operation.
cat >"$work/schemathesis.toml" <<EOF
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "431"]

[[operations]]
include-path-regex = "^/v1/staff/(?!sessions)"
headers = { Authorization = "Bearer $staff" }

[[operations]]
include-path-regex = "^/v1/(marriage-bookings|marriage-waitlist|marriage-draws/entries|applications)"
headers = { Authorization = "Bearer $citizen" }

[[operations]]
include-path-regex = "^/v1/(client-webhook|citizen-sessions)"
headers = { X-Client-Key = "$key" }
EOF

# One worker: with two threads, hypothesis's ast.parse calls met CPython 3.11's thread-unsafe AST state
# (gh-106905, "AST constructor recursion depth mismatch") and failed a fresh-clone CI run with a tool error.
"$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$root/openapi/openapi.yaml" \
  --url "http://127.0.0.1:$port" --seed 20261129 --max-examples "${MAX_EXAMPLES:-30}" --workers 1 \
  --checks all --exclude-checks positive_data_acceptance --no-color >"$root/.build/conformance-report.txt" 2>&1 \
  && status=0 || status=$?
tail -n 40 "$root/.build/conformance-report.txt"
# The server logs at error level only: any line is a fault the answers may not show.
if [ -s "$work/server.log" ]; then
  echo "the server logged errors during the run:" >&2
  head -20 "$work/server.log" >&2
  exit 1
fi
exit "$status"
