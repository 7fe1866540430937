#!/usr/bin/env bash
# Directory look-ups under load, next to GET /healthz measured in the same run.
#   make bench            (or: make release && bench/lookups.sh)
# Env: COUNT (directory entries generated, default 100000), DURATION (per endpoint, 10s), CONNECTIONS (64).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_wrk
COUNT=${COUNT:-100000}

seed=$(mktemp -d /tmp/minzheng-seed.XXXXXX)
cp "$BENCH_ROOT/seed-data/divisions.csv" "$BENCH_ROOT/seed-data/resource-types.csv" "$BENCH_ROOT/seed-data/calendar.csv" "$seed/"
python3 "$BENCH_ROOT/seed-data/tools/generate_directory.py" --count "$COUNT" --seed 7 --out "$seed/directory.csv" >/dev/null
start_server "$seed"
echo "# $(date -u +%FT%TZ), $COUNT directory entries, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores" >&2

# Ids of real eldercare facilities, for the by-id script.
ids=$(curl -fs "http://127.0.0.1:$PORT/v1/directory/eldercare-facility?limit=100" | python3 -c 'import json,sys; print(",".join(str(i["id"]) for i in json.load(sys.stdin)["items"]))')
cat >"$WORK/by-id.lua" <<LUA
local ids = {$ids}
request = function() return wrk.format("GET", "/v1/directory/eldercare-facility/" .. ids[math.random(#ids)]) end
LUA
cat >"$WORK/by-division.lua" <<'LUA'
local cities = {"3201","3202","3203","3204","3205","3206","3207","3208","3209","3210","3211","3212","3213"}
request = function() return wrk.format("GET", "/v1/directory/eldercare-facility?division=" .. cities[math.random(#cities)]) end
LUA
# A name, as someone types it: common words (thousands of entries) and rarer places (a few).
cat >"$WORK/by-name.lua" <<'LUA'
local names = {"松鹤","颐和","安康","福寿","养老院","救助站","江宁","碧溪街道","黄沙港镇","墟沟"}
local function encode(text) return (text:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
for i, name in ipairs(names) do names[i] = encode(name) end
request = function() return wrk.format("GET", "/v1/directory/eldercare-facility?q=" .. names[math.random(#names)]) end
LUA
cat >"$WORK/near.lua" <<'LUA'
local centres = {{32.05,118.78},{31.57,120.30},{34.26,117.19},{31.81,119.97},{31.30,120.62},{32.01,120.86},
  {34.60,119.22},{33.55,119.03},{33.35,120.16},{32.39,119.41},{32.19,119.45},{32.46,119.92},{33.96,118.28}}
request = function()
  local c = centres[math.random(#centres)]
  local lat = c[1] + (math.random() - 0.5) * 0.1
  local lng = c[2] + (math.random() - 0.5) * 0.1
  return wrk.format("GET", string.format("/v1/directory/eldercare-facility?near=%.5f,%.5f&radius_km=5", lat, lng))
end
LUA

{
  measure healthz /healthz
  measure directory-by-id / "$WORK/by-id.lua"
  measure directory-by-division / "$WORK/by-division.lua"
  measure directory-by-name / "$WORK/by-name.lua"
  measure directory-near / "$WORK/near.lua"
} | report
rm -rf "$seed"
