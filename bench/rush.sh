#!/usr/bin/env bash
# The booking rush: 64 citizens' connections book places for new couples at 100 registry offices on one day,
# far more attempts than places; afterwards every place must be taken exactly once, by a 201 wrk saw.
# Availability is read alongside, and GET /healthz is measured in the same run as the baseline.
#   make release && bench/rush.sh
# Env: DURATION_RUSH (rush length, default 15s), DURATION (healthz baseline, 10s), CONNECTIONS (64), THREADS (2),
#      RUSH_TIMEOUT (wrk's per-request timeout, 10s).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_wrk
DURATION_RUSH=${DURATION_RUSH:-15s}
RUSH_TIMEOUT=${RUSH_TIMEOUT:-10s}
MIN_ATTEMPTS=20000
OFFICES=100 SESSIONS=64
PER_PERIOD=${PER_PERIOD:-20}  # places per period: few enough to be gone before wrk stops (see bench/rush-scale.sh)
CAPACITY=$((OFFICES * 6 * PER_PERIOD))

start_server "$BENCH_ROOT/seed-data"
base="http://127.0.0.1:$PORT"

prepare_booking_day

expect_untouched_day

echo "# $(date -u +%FT%TZ), rush on $date: $OFFICES offices x 6 periods x $PER_PERIOD = $CAPACITY places," \
  "$SESSIONS citizens, wrk -t$THREADS -c$CONNECTIONS -d$DURATION_RUSH, $(nproc) cores" >&2
healthz=$(measure healthz /healthz)

# Availability is read by a small second wrk for the whole rush: what citizens see while the places go.
wrk -t1 -c4 -d"$DURATION_RUSH" --timeout "$RUSH_TIMEOUT" --latency \
  "$base/v1/marriage-registries/$first/availability?service=marriage&from=$date&to=$date" >"$WORK/availability.txt" &
availability_pid=$!
# A generous timeout: a booking that times out may still be made, and would then be missing from the 201s.
RUSH_TOKENS=$tokens RUSH_OFFICES=$offices RUSH_DATE=$date \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION_RUSH" --timeout "$RUSH_TIMEOUT" --latency \
  -s "$BENCH_ROOT/bench/rush.lua" "$base/" >"$WORK/rush.txt" \
  || { kill "$availability_pid" 2>/dev/null; cat "$WORK/rush.txt" >&2; exit 1; }
wait "$availability_pid"
grep -q '^statuses ' "$WORK/rush.txt" || { echo "rush.lua reported nothing:" >&2; cat "$WORK/rush.txt" >&2; exit 1; }

statuses=$(sed -n 's/^statuses //p' "$WORK/rush.txt")
codes=$(sed -n 's/^codes //p' "$WORK/rush.txt")
attempts=$(sed -n 's/^attempts //p' "$WORK/rush.txt")
socket_errors=$(sed -n 's/^errors //p' "$WORK/rush.txt")
tally=$(python3 -c '
import sys
counts = {int(s): int(n) for s, n in (item.split("=") for item in sys.argv[1].split())}
print(counts.get(201, 0), sum(n for s, n in counts.items() if s >= 500))' "$statuses")
read -r created server_errors <<<"$tally"
check_rush "$created" "$server_errors" && checked=ok || checked=FAILED

{
  echo "$healthz"
  wrk_line booking-rush-attempts <"$WORK/rush.txt"
  wrk_line availability-during-rush <"$WORK/availability.txt"
} | report
echo
echo "booking-rush-attempts: requests/s counts every attempt; its non-2xx are refusals, the expected 409 slot_full once the places are gone."
echo "attempts=$attempts statuses $statuses"
echo "problem codes: ${codes:-none}; socket errors: $socket_errors"
echo "confirmed=$booked capacity=$CAPACITY"

[ "$attempts" -ge "$MIN_ATTEMPTS" ] || { echo "FAIL: only $attempts attempts, fewer than $MIN_ATTEMPTS: raise DURATION_RUSH" >&2; exit 1; }
[ "$checked" = ok ]
