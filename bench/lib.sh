# Shared helpers for the bench scripts: start a release server on a fresh data directory, run wrk, report.
# Source it; do not run it.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="${MINZHENG_BIN:-$BENCH_ROOT/.build/release/minzheng}"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}

need_wrk() {
  command -v wrk >/dev/null && return
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# BENCH_DATABASE_URL=postgres://...: the servers (and the admin commands) use PostgreSQL, in a schema of the
# run's own; otherwise SQLite in the data directory. BACKEND names the one in use.
BACKEND=sqlite
DB_ENV=()
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  BACKEND=postgresql
  DB_ENV=(MINZHENG_DATABASE_URL="$BENCH_DATABASE_URL" MINZHENG_DATABASE_SCHEMA="bench_$(date +%s)_$$")
fi

# serve_on PORT SEED_DIR: one more `minzheng serve` on $WORK/data (its log appended to $WORK/server.log), in the
# background; sets LAST_PID. SERVER_ENV: more VAR=value settings (e.g. the notification options of bench/notify.sh).
# Load comes from one machine and a few accounts: the rate and booking-attempt limits would measure themselves.
serve_on() {
  env MINZHENG_DATA_DIR="$WORK/data" MINZHENG_SEED_DIR="$2" MINZHENG_PORT="$1" MINZHENG_LOG_LEVEL=warning \
    MINZHENG_RATE_LIMITS=off MINZHENG_BOOKING_ATTEMPTS=off "${DB_ENV[@]}" ${SERVER_ENV:-} \
    "$BIN" serve >>"$WORK/server.log" 2>&1 &
  LAST_PID=$!
}

# start_server SEED_DIR: starts the release build on a fresh data directory; sets PORT, SERVER_PID, WORK.
start_server() {
  WORK=$(mktemp -d /tmp/minzheng-bench.XXXXXX)
  PORT=$(free_port)
  serve_on "$PORT" "$1"
  SERVER_PID=$LAST_PID
  # "|| true": under set -e the killed server's status (143) would end the trap early and become the exit status.
  trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  wait_healthy "$PORT" "$SERVER_PID"
}

# wait_healthy PORT PID: waits (up to a minute) until the server process PID answers /healthz on PORT.
wait_healthy() {
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$WORK/server.log" >&2; return 1; }
    sleep 0.1
  done
  echo "the server on port $1 did not start" >&2; return 1
}

# The admin commands on the server's data directory.
cli() { env MINZHENG_DATA_DIR="$WORK/data" MINZHENG_LOG_LEVEL=warning "${DB_ENV[@]}" "$BIN" "$@"; }

# call STATUS METHOD PATH [BODY [HEADER...]]: prints the body of the answer; any other status stops the run.
call() {
  local want=$1 method=$2 path=$3 body=${4:-} status
  shift $(($# < 4 ? $# : 4))
  local args=(-sS --max-time 10 -X "$method" -o "$WORK/answer" -w '%{http_code}')
  for header in "$@"; do args+=(-H "$header"); done
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  status=$(curl "${args[@]}" "http://127.0.0.1:$PORT$path") || true
  if [ "$status" != "$want" ]; then
    echo "$method $path: $status, expected $want: $(cat "$WORK/answer" 2>/dev/null)" >&2
    return 1
  fi
  cat "$WORK/answer"
}

# json EXPR: evaluates the Python expression EXPR on the JSON document on stdin (as d) and prints it. Empty
# input (a failed call, already reported) fails quietly.
json() { python3 -c "import json, sys; t = sys.stdin.read(); t or sys.exit(1); d = json.loads(t); print($1)"; }

# prepare_booking_day: with OFFICES, PER_PERIOD and SESSIONS set and the server started, makes an app client
# (key), a province-wide admin (staff, its session token), picks the first OFFICES registries (offices, office_list,
# first), the first bookable day at least two days ahead (date), gives every period of it PER_PERIOD places, and
# opens SESSIONS citizen sessions (tokens, comma-separated).
prepare_booking_day() {
  # Credentials: an app client opens the citizen sessions; a province-wide admin sets capacity and reads utilisation.
  key=$(cli clients create --name bench | tail -n 1)
  [[ $key == mzk_* ]] || { echo "clients create printed no client key (last line: $key)" >&2; exit 1; }
  password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
  printf '%s\n' "$password" | cli staff create --username bench-admin --role admin --division 32 >/dev/null
  staff=$(call 201 POST /v1/staff/sessions "{\"username\":\"bench-admin\",\"password\":\"$password\"}" | json 'd["token"]')

  offices=$(call 200 GET "/v1/directory/marriage-registry?limit=$OFFICES" | json '",".join(str(i["id"]) for i in d["items"])')
  office_list=${offices//,/ }
  [ "$(wc -w <<<"$office_list")" = "$OFFICES" ] || { echo "expected $OFFICES registry offices, got: $offices" >&2; exit 1; }
  first=${offices%%,*}

  # The rush day: the first bookable day at least two days ahead (Beijing time), so the 15:00 cut-off of the
  # day before cannot fall inside the run.
  days=$(python3 -c 'import datetime as dt; today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date(); print(*(today + dt.timedelta(days=n) for n in (1, 2, 30)))')
  read -r tomorrow earliest last <<<"$days"
  date=$(call 200 GET "/v1/marriage-registries/$first/availability?service=marriage&from=$tomorrow&to=$last" \
    | json "next((x['date'] for x in d['days'] if x['open'] and x['date'] >= '$earliest'), '')")
  [ -n "$date" ] || { echo "no bookable day between $earliest and $last at office $first" >&2; exit 1; }

  for office in $office_list; do
    call 204 PUT "/v1/staff/marriage-registries/$office/capacity" \
      "{\"date\":\"$date\",\"service\":\"marriage\",\"capacity\":$PER_PERIOD}" "Authorization: Bearer $staff" >/dev/null
  done

  tokens=""
  for n in $(seq 1 "$SESSIONS"); do
    token=$(call 201 POST /v1/citizen-sessions "{\"subject\":\"bench-user-$n\"}" "X-Client-Key: $key" | json 'd["token"]')
    tokens+=${tokens:+,}$token
  done
}

# measure NAME PATH [LUA]: runs wrk and prints "NAME rps p50 p99 errors" (latencies in ms).
measure() {
  local name=$1 path=$2 lua=${3:-}
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "$lua" ] && args+=(-s "$lua")
  wrk "${args[@]}" "http://127.0.0.1:$PORT$path" | wrk_line "$name"
}

# wrk_line NAME: reads the output of `wrk --latency` on stdin and prints it as measure does.
wrk_line() {
  local text; text=$(cat)
  python3 - "$1" "$text" <<'PY'
import re, sys
name, text = sys.argv[1], sys.argv[2]
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"{name} {rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f} {int(non2xx.group(1)) if non2xx else 0}{' ' + errors.group(0) if errors else ''}")
PY
}

# report: reads lines from measure (first line is the baseline) and prints a Markdown table with ratios.
report() {
  python3 -c '
import sys
rows = [l.strip().split(maxsplit=5) for l in sys.stdin if l.strip()]
base = float(rows[0][1])
print("| endpoint | requests/s | p50 ms | p99 ms | non-2xx | ratio to " + rows[0][0] + " |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    extra = (" (" + r[5] + ")") if len(r) > 5 else ""  # socket errors, when wrk saw any
    print(f"| {r[0]} | {float(r[1]):.0f} | {r[2]} | {r[3]} | {r[4]}{extra} | {float(r[1])/base:.2f} |")
'
}

# utilisation: prints "BOOKED CAPACITY", summed over every office and period on the rush day.
utilisation() {
  local office
  for office in $office_list; do
    call 200 GET "/v1/staff/marriage-registries/$office/utilisation?service=marriage&from=$date&to=$date" "" \
      "Authorization: Bearer $staff"
    echo
  done | python3 -c '
import json, sys
text, decoder, at, booked, capacity = sys.stdin.read().strip(), json.JSONDecoder(), 0, 0, 0
while at < len(text):
    d, at = decoder.raw_decode(text, at)
    at = len(text) - len(text[at:].lstrip())
    for day in d["days"]:
        for p in day["periods"]:
            booked += p["booked"]
            capacity += p["capacity"]
print(booked, capacity)'
}

# expect_untouched_day: the rush day has all its CAPACITY places and none booked (a capacity change that did not
# reach every period is caught before the rush is blamed for it). Sets booked and capacity.
expect_untouched_day() {
  # The assignments keep set -e: a failure inside "read <<<$(...)" would pass unnoticed.
  local counts; counts=$(utilisation)
  read -r booked capacity <<<"$counts"
  [ "$booked $capacity" = "0 $CAPACITY" ] || { echo "before the rush: booked=$booked capacity=$capacity, expected 0 $CAPACITY" >&2; exit 1; }
}

# check_rush CREATED SERVER_ERRORS: after the rush, every place is taken exactly once, by a 201 wrk saw, and no
# answer was a 5xx. Reads the day again (sets booked and capacity); returns non-zero on any failure, after listing them all.
check_rush() {
  local counts; counts=$(utilisation)
  read -r booked capacity <<<"$counts"
  local failed=0
  fail() { echo "FAIL: $*" >&2; failed=1; }
  [ "$capacity" = "$CAPACITY" ] || fail "capacity after the rush is $capacity, not $CAPACITY"
  [ "$booked" = "$CAPACITY" ] || fail "confirmed=$booked, not every one of the $CAPACITY places was taken"
  [ "$1" = "$booked" ] || fail "wrk saw $1 201s but $booked places are booked"
  [ "$2" = 0 ] || fail "$2 answers were 5xx"
  return "$failed"
}
