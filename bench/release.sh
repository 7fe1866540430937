#!/usr/bin/env bash
# The release second: one registry office's 60 places (6 periods x 10) released at a set minute, 600 couples
# after them: 300 "scripts" firing from two seconds early and retrying at once, 300 "phones" tapping in the
# first three seconds. Run twice: as a race (an ordinary day), and as a fair draw (a high-demand day, every
# couple registered beforehand). Reports booking latency, errors, and the share of places scripts got
# (half of the couples are scripts: 0.50 is fair).
#   make release && bench/release.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OFFICES=1 PER_PERIOD=10 SESSIONS=1

start_server "$BENCH_ROOT/seed-data"
prepare_booking_day
office=$first

# schedule_release DAY: releases DAY's places at the next whole minute at least 45 s away (Beijing time), by
# setting the office's window to end on DAY today; prints the release moment as Unix time.
schedule_release() {
  local day=$1
  read -r days_ahead release_time epoch <<<"$(python3 - "$day" <<'PY'
import datetime as dt, sys
beijing = dt.timezone(dt.timedelta(hours=8))
now = dt.datetime.now(beijing)
release = (now + dt.timedelta(seconds=45)).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
day = dt.date.fromisoformat(sys.argv[1])
print((day - release.date()).days, release.strftime("%H:%M"), release.timestamp())
PY
)"
  call 200 PUT "/v1/staff/marriage-registries/$office/schedule" \
    "{\"periods\":[\"09:00-10:00\",\"10:00-11:00\",\"11:00-12:00\",\"14:00-15:00\",\"15:00-16:00\",\"16:00-17:00\"],
      \"default_capacity\":{\"marriage\":10,\"divorce_application\":4,\"divorce_certificate\":4,\"reissue\":2},
      \"booking_window\":{\"min_days_ahead\":1,\"max_days_ahead\":$days_ahead,\"closing_hour\":15,\"release_time\":\"$release_time\"}}" \
    "Authorization: Bearer $staff" >/dev/null
  echo "$epoch"
}

# working_day WHICH: the first day the office works, 10 to 85 days ahead, that is (high) or is not (ordinary) a
# provincial high-demand day (HighDemandCalendar's rule).
working_day() {
  local from to
  read -r from to <<<"$(python3 -c 'import datetime as dt; t = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date(); print(t + dt.timedelta(days=10), t + dt.timedelta(days=85))')"
  call 200 GET "/v1/marriage-registries/$office/availability?service=marriage&from=$from&to=$(python3 -c "import datetime as dt; print(dt.date.fromisoformat('$from') + dt.timedelta(days=60))")" \
    | python3 -c '
import json, sys
want = sys.argv[1] == "high"
qixi = {2025: (8, 29), 2026: (8, 19), 2027: (8, 8), 2028: (8, 26)}
def high(d):
    y, m, day = map(int, d.split("-"))
    return (m, day) in [(5, 20), (5, 21), (2, 14), (9, 9)] or qixi.get(y) == (m, day) or len(set(f"{m}{day}")) == 1
days = json.load(sys.stdin)["days"]
print(next(d["date"] for d in days if d["office_works"] and high(d["date"]) == want))' "$1"
}

echo "# $(date -u +%FT%TZ), office $office, 60 places, 300 scripts + 300 phones, $(nproc) cores" >&2
echo "| mode | booking requests | p50 ms | p99 ms | max ms | 5xx or failed | places scripts / phones | scripts' share |"
echo "|---|---:|---:|---:|---:|---:|---|---:|"
race_day=$(working_day ordinary)
epoch=$(schedule_release "$race_day")
python3 "$BENCH_ROOT/bench/release.py" "http://127.0.0.1:$PORT" "$key" race "$office" "$race_day" "$epoch" 09:00,10:00,11:00,14:00,15:00,16:00
draw_day=$(working_day high)
epoch=$(schedule_release "$draw_day")
python3 "$BENCH_ROOT/bench/release.py" "http://127.0.0.1:$PORT" "$key" draw "$office" "$draw_day" "$epoch" 09:00,10:00,11:00,14:00,15:00,16:00
