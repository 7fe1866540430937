#!/usr/bin/env bash
# Notification delivery, end to end: outbox rows -> delivery worker (inside `serve`) -> libcurl -> a local nginx
# answering 200 -> recorded as delivered. Measured in one run:
#   1. the receiver's own capacity: wrk POSTing to nginx (the ceiling any sender could reach here);
#   2. deliveries/s draining a backlog of BACKLOG events with nothing else running, and the server's CPU per
#      delivery (all threads, and the libcurl thread alone);
#   3. booking latency (a steady booking load): without a backlog (the worker sends only the bookings' own
#      events), then while another backlog drains, then without one again once it has drained. The drain's cost
#      is taken against the mean of the two phases without a backlog: with no drain at all, a booking phase's p99
#      mostly came out higher than the one before (as the database grows), so a drain measured only after the first
#      would be charged with that drift too. On PostgreSQL the phase after a drain was about 60% slower than the
#      first, which its control did not show: read the rise against the first phase there (docs/benchmarks.md).
#   make release && bench/notify.sh
# Env: BACKLOG (100000), DURATION (10s: each wrk phase), BOOK_CONNECTIONS (8: the steady booking load),
#   DRAIN_BACKLOG (BACKLOG: the backlog of phase 3; 0 runs the same three booking phases with nothing to drain,
#   the control that shows the drift alone).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_wrk
BACKLOG=${BACKLOG:-100000}
DRAIN_BACKLOG=${DRAIN_BACKLOG:-$BACKLOG}
[[ $BACKLOG =~ ^[1-9][0-9]*$ && $DRAIN_BACKLOG =~ ^[0-9]+$ ]] || { echo "BACKLOG must be a positive number, DRAIN_BACKLOG a number" >&2; exit 1; }
BOOK_CONNECTIONS=${BOOK_CONNECTIONS:-8}
OFFICES=100 PER_PERIOD=100 SESSIONS=16

need() {
  local missing=""
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=" $p"; done
  [ -z "$missing" ] && return
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
}
need nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# The server first: if it does not start, its own trap cleans up and no receiver is left behind (one started
# before it outlived a failed start).
SERVER_ENV="MINZHENG_NOTIFY_ALLOW_PRIVATE=1 ${NOTIFY_ENV:-}" start_server "$BENCH_ROOT/seed-data"
# The receiver: nginx on loopback answering every POST with WeCom's success reply.
RECEIVER=$(mktemp -d /tmp/minzheng-receiver.XXXXXX)
RPORT=$(free_port)
cat >"$RECEIVER/nginx.conf" <<CONF
worker_processes 1;
pid $RECEIVER/nginx.pid;
error_log $RECEIVER/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RECEIVER/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$RPORT;
    location / { return 200 '{"errcode":0,"errmsg":"ok"}'; }
  }
}
CONF
cleanup_receiver() { "$NGINX" -c "$RECEIVER/nginx.conf" -p "$RECEIVER" -s stop 2>/dev/null || true; rm -rf "$RECEIVER"; }
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"; cleanup_receiver' EXIT
"$NGINX" -c "$RECEIVER/nginx.conf" -p "$RECEIVER"
prepare_booking_day
# sql STATEMENT: runs it on the server's database (SQLite file, or the PostgreSQL schema of this run).
if [ "$BACKEND" = postgresql ]; then
  schema=${DB_ENV[1]#MINZHENG_DATABASE_SCHEMA=}
  sql() { PGOPTIONS="-c search_path=$schema" psql -qtAX "$BENCH_DATABASE_URL" -c "$1"; }
  now_seconds="extract(epoch from now())"
  numbers() { echo "generate_series(1, $1) AS n(i)"; }
else
  need sqlite3
  sql() { sqlite3 -cmd '.timeout 30000' "$WORK/data/minzheng.sqlite" "$1"; }
  now_seconds="(julianday('now') - 2440587.5) * 86400"
  numbers() { echo "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) SELECT i FROM n) AS n"; }
fi

echo "# $(date -u +%FT%TZ), backlog $BACKLOG, drain backlog $DRAIN_BACKLOG, booking load wrk -t1 -c$BOOK_CONNECTIONS -d$DURATION, $(nproc) cores" >&2

# 1. The receiver's capacity, POSTing a message of the size the worker sends.
cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.rep("x", 420)
LUA
receiver=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/post.lua" "http://127.0.0.1:$RPORT/hook" | wrk_line receiver)
receiver_rps=$(cut -d' ' -f2 <<<"$receiver")

# Every booking event of the province goes to one signed webhook (the worst case: one receiver takes all).
hook=$(call 201 POST /v1/staff/webhooks \
  "{\"channel\":\"webhook\",\"url\":\"http://127.0.0.1:$RPORT/hook\",\"events\":[\"booking.confirmed\"]}" \
  "Authorization: Bearer $staff" | json 'd["id"]')

# backlog N: writes N booking.confirmed events straight into the outbox, as N bookings would have.
backlog() {
  local data='{"booking_id":"bench","code":"K7P2QD","office_id":9,"date":"2026-12-10","period":"09:00","service":"marriage","status":"confirmed","applicants":[{"name":"张*","id_number":"320102**********1X","phone":"138****8000"},{"name":"李*","id_number":"320102**********21","phone":"139****9000"}]}'
  sql "INSERT INTO outbox_events (type, office_id, client_id, booking_id, data, occurred_at, due_at)
       SELECT 'booking.confirmed', 9, NULL, 'bench-' || i, '$data', $now_seconds, 0 FROM $(numbers "$1");"
}
delivered() { sql "SELECT count(*) FROM deliveries WHERE status = 'delivered'"; }
# waiting: events due and not yet fanned out (the bookings' reminders wait for their day), plus deliveries not yet
# finished, counted through partial indexes: the cost grows with what waits, not with what was delivered (counting
# the delivered rows scans the whole table: about 40 ms of CPU at 200,000 rows).
waiting() {
  sql "SELECT (SELECT count(*) FROM outbox_events WHERE state = 'pending' AND due_at <= $now_seconds)
            + (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending'))"
}

# anything_waiting: 1 while an event is due and not yet fanned out or a delivery is not yet finished, else 0. Reads
# the first entry of each partial index and stops, where counting (waiting) reads the whole backlog.
anything_waiting() {
  sql "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox_events WHERE state = 'pending' AND due_at <= $now_seconds)
                     OR EXISTS (SELECT 1 FROM deliveries WHERE status IN ('pending', 'sending')) THEN 1 ELSE 0 END"
}

# wait_drained TARGET: waits until nothing is waiting, then checks that TARGET deliveries are recorded as delivered;
# prints the seconds from the call to the last delivery's updated_at: the server's clock (the same machine's as
# bash's) when the last batch's replies were in, a few ms before that batch was written. 0 when no delivery was
# recorded after the call (everything drained before). The end is read from the database, so the polls can be rare
# without blurring the figure: every poll starts a database client, and polls counting the backlog every 50 ms
# took about 15% of the machine's CPU from the drain they timed (perf -a, docs/benchmarks.md).
wait_drained() {
  local start=${EPOCHREALTIME/,/.} busy done
  while busy=$(anything_waiting) || { echo "cannot tell whether deliveries are waiting" >&2; exit 1; }; [ "$busy" = 1 ]; do
    (( ${EPOCHREALTIME/[.,]/} - ${start/./} < 600000000 )) || { echo "$(waiting) still waiting after 600 s" >&2; exit 1; }
    sleep 0.5
  done
  done=$(delivered)
  [ "$done" -ge "$1" ] || { echo "drained, but only $done of $1 delivered" >&2; exit 1; }
  local last; last=$(sql "SELECT max(updated_at) FROM deliveries WHERE status = 'delivered'")
  python3 -c "print(f'{max(0.0, float(\"${last:-0}\") - $start):.2f}')"
}

# server_cpu: the server's CPU time so far, all threads (exited ones included) and the libcurl thread alone, in
# clock ticks. Less noisy than deliveries/s on a shared machine: it says what a delivery costs, whatever else the
# machine was doing.
server_cpu() {
  python3 - "$SERVER_PID" <<'PY'
import glob, sys
def ticks(path):
    text = open(path).read()
    fields = text[text.rindex(")") + 2:].split()
    return text[text.index("(") + 1:text.rindex(")")], int(fields[11]) + int(fields[12])  # utime + stime
pid = sys.argv[1]
total = ticks(f"/proc/{pid}/stat")[1]
curl = 0
for path in glob.glob(f"/proc/{pid}/task/*/stat"):
    try:
        name, used = ticks(path)
    except OSError:  # a thread that ended since the listing
        continue
    curl += used if name == "minzheng-curl" else 0
print(total, curl)
PY
}

# 2. Drain a backlog with nothing else running: outbox row -> receiver -> recorded.
before=$(delivered)
read -r cpu_before curl_before < <(server_cpu)
backlog "$BACKLOG"
seconds=$(wait_drained $((before + BACKLOG)))
[ "$seconds" != 0.00 ] || { echo "no delivery was recorded after the backlog was written" >&2; exit 1; }
read -r cpu_after curl_after < <(server_cpu)
drain_rps=$(python3 -c "print(round($BACKLOG / $seconds))")
dead=$(sql "SELECT count(*) FROM deliveries WHERE status = 'dead'")

# 3. Booking latency: a steady load alone, while a second backlog drains, and alone again after it drained.
book() {
  RUSH_THREAD_OFFSET=$2 RUSH_TOKENS=$tokens RUSH_OFFICES=$offices RUSH_DATE=$date \
    wrk -t1 -c"$BOOK_CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$BENCH_ROOT/bench/rush.lua" "http://127.0.0.1:$PORT/" \
    >"$WORK/$1.txt"
  wrk_line "$1" <"$WORK/$1.txt"
}
quiet=$(book booking-quiet 0)
before=$(delivered)
if [ "$DRAIN_BACKLOG" -gt 0 ]; then backlog "$DRAIN_BACKLOG"; fi
draining=$(book booking-during-drain 10)
left=$(waiting)
drained_in=$(wait_drained $((before + DRAIN_BACKLOG)))
quiet_after=$(book booking-quiet-after 20)

{ echo "$receiver"; echo "$quiet"; echo "$draining"; echo "$quiet_after"; } | report
echo
# The day holds 60,000 places: phases long enough to fill it would measure refusals, not bookings.
for phase in "$quiet" "$draining" "$quiet_after"; do
  read -r name _ _ _ refused _ <<<"$phase"
  [ "$refused" = 0 ] || echo "WARNING: $refused answers of $name were not 2xx (the day's places ran out?): its latency is not a booking's"
done
echo "end-to-end deliveries: $BACKLOG in ${seconds}s = $drain_rps/s, $(python3 -c "print(f'{$drain_rps / $receiver_rps:.2f}')") of the receiver's capacity ($receiver_rps/s); dead: $dead"
ticks=$(getconf CLK_TCK)
echo "server CPU per delivery while draining: $(( (cpu_after - cpu_before) * 1000000 / ticks / BACKLOG )) µs, of which the libcurl thread $(( (curl_after - curl_before) * 1000000 / ticks / BACKLOG )) µs"
if [ "$drained_in" = 0.00 ]; then drained_in="0 s (nothing recorded after the booking load)"; else drained_in="${drained_in}s"; fi
echo "during the booking load: $left deliveries (of a backlog of $DRAIN_BACKLOG and the bookings' own) still waiting when it ended; drained after $drained_in"
python3 - "$quiet" "$draining" "$quiet_after" <<'PY'
import sys
q, d, a = (line.split() for line in sys.argv[1:4])
p99 = lambda phase: float(phase[3])
rise = lambda base: f"{(p99(d) / base - 1) * 100:+.0f}%"
print(f"booking p99: {q[3]} ms quiet before, {d[3]} ms during the drain, {a[3]} ms quiet after; "
      f"rise {rise((p99(q) + p99(a)) / 2)} against the mean of the quiet phases "
      f"({rise(p99(q))} against before, {rise(p99(a))} against after); bookings/s {q[1]} -> {d[1]} -> {a[1]}")
PY
