#!/usr/bin/env bash
# The booking rush over PROCESSES `minzheng serve` processes on one database (PostgreSQL: BENCH_DATABASE_URL, as
# bench/postgres.sh sets it). Each process gets its share of the 64 connections from a wrk of its own (no load
# balancer to share the two cores with); the wrks' counts are summed, and the p99 reported is the worst of theirs.
# Afterwards every place must be taken exactly once, by a 201 some wrk saw.
#   make release && PROCESSES=3 bench/postgres.sh bench/rush-scale.sh
# Env: PROCESSES (3), PER_PERIOD (20), DURATION_RUSH (15s), CONNECTIONS (64 in all), THREADS (2 per wrk), RUSH_TIMEOUT (10s).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_wrk
PROCESSES=${PROCESSES:-3}
# Several processes share a database only on PostgreSQL (one SQLite file is one process's).
[ "$PROCESSES" = 1 ] || [ "$BACKEND" = postgresql ] || { echo "PROCESSES=$PROCESSES needs PostgreSQL: run through bench/postgres.sh" >&2; exit 1; }
DURATION_RUSH=${DURATION_RUSH:-15s}
RUSH_TIMEOUT=${RUSH_TIMEOUT:-10s}
# PER_PERIOD: places per period at each of the 100 offices. Few enough that they are gone well before wrk stops
# (20 on SQLite; PostgreSQL on this machine books about a tenth as fast: use 2), or requests wrk drops in flight at
# the end may have booked places it never saw the 201 of, and the exact count below cannot be checked.
OFFICES=100 SESSIONS=64
PER_PERIOD=${PER_PERIOD:-20}
CAPACITY=$((OFFICES * 6 * PER_PERIOD))

# The first process migrates and seeds; the others join it on the same database and data directory (the same key).
start_server "$BENCH_ROOT/seed-data"
ports=($PORT) pids=($SERVER_PID)
for _ in $(seq 2 "$PROCESSES"); do
  port=$(free_port)
  serve_on "$port" "$BENCH_ROOT/seed-data"
  ports+=($port) pids+=($LAST_PID)
done
trap 'kill ${pids[*]} 2>/dev/null; wait ${pids[*]} 2>/dev/null || true; rm -rf "$WORK"' EXIT
for i in "${!ports[@]}"; do wait_healthy "${ports[$i]}" "${pids[$i]}"; done

prepare_booking_day
expect_untouched_day

echo "# $(date -u +%FT%TZ), $BACKEND, $PROCESSES processes, rush on $date: $CAPACITY places, $((CONNECTIONS / PROCESSES * PROCESSES)) connections in all," \
  "wrk -t$THREADS per process -d$DURATION_RUSH, $(nproc) cores" >&2
healthz=$(measure healthz /healthz)

wrks=()
for i in "${!ports[@]}"; do
  # Each wrk's threads take address codes of their own (RUSH_THREAD_OFFSET), so no couple comes twice.
  RUSH_THREAD_OFFSET=$((i * THREADS)) RUSH_TOKENS=$tokens RUSH_OFFICES=$offices RUSH_DATE=$date \
    wrk -t"$THREADS" -c$((CONNECTIONS / PROCESSES)) -d"$DURATION_RUSH" --timeout "$RUSH_TIMEOUT" --latency \
    -s "$BENCH_ROOT/bench/rush.lua" "http://127.0.0.1:${ports[$i]}/" >"$WORK/rush-$i.txt" &
  wrks+=($!)
done
wait "${wrks[@]}"
for i in "${!ports[@]}"; do
  grep -q '^statuses ' "$WORK/rush-$i.txt" || { echo "wrk $i reported nothing:" >&2; cat "$WORK/rush-$i.txt" >&2; exit 1; }
done

summary=$(python3 - "$WORK" "$PROCESSES" <<'PY'
import re, sys
work, n = sys.argv[1], int(sys.argv[2])
rps = attempts = created = server_errors = 0
p99 = 0.0
for i in range(n):
    text = open(f"{work}/rush-{i}.txt").read()
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    p99 = max(p99, v)
    attempts += int(re.search(r"^attempts (\d+)", text, re.M).group(1))
    for status, count in re.findall(r"(\d+)=(\d+)", re.search(r"^statuses (.*)$", text, re.M).group(1)):
        created += int(count) if status == "201" else 0
        server_errors += int(count) if int(status) >= 500 else 0
print(f"{rps:.0f} {p99:.2f} {attempts} {created} {server_errors}")
PY
)
read -r rps p99 attempts created server_errors <<<"$summary"
check_rush "$created" "$server_errors" && checked=ok || checked=FAILED
healthz_rps=$(cut -d' ' -f2 <<<"$healthz")
echo "$BACKEND, $PROCESSES processes: rush attempts $rps/s ($(python3 -c "print(f'{$rps / $healthz_rps:.2f}')") of healthz $healthz_rps/s on one process)," \
  "worst p99 $p99 ms, attempts $attempts, confirmed $booked of $CAPACITY, 201s $created, 5xx $server_errors"

[ "$checked" = ok ]
