#!/usr/bin/env bash
# Social-organisation verification and eldercare search under load, next to GET /healthz in the same run.
#   make release && bench/orgs-eldercare.sh     (also run by make bench)
# Env: ORGS (organisations generated, default 100000), FACILITIES (50000), DURATION (per endpoint, 10s), CONNECTIONS (64).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_wrk
ORGS=${ORGS:-100000}
FACILITIES=${FACILITIES:-50000}

seed=$(mktemp -d /tmp/minzheng-seed.XXXXXX)
cp "$BENCH_ROOT"/seed-data/{divisions,resource-types,calendar,directory}.csv "$seed/"
python3 "$BENCH_ROOT/seed-data/tools/generate_social_orgs.py" --count "$ORGS" --seed 7 --out "$seed/social-orgs.csv" >/dev/null
python3 "$BENCH_ROOT/seed-data/tools/generate_eldercare.py" --count "$FACILITIES" --seed 7 --out "$seed/eldercare-facilities.csv" >/dev/null
started=$(date +%s)
start_server "$seed"
echo "# $(date -u +%FT%TZ), $ORGS social organisations, $FACILITIES eldercare facilities (imported and loaded in $(( $(date +%s) - started )) s), wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores" >&2

# 2,000 real codes, one in ten asked with its name (name matching), one in ten in lower case.
python3 - "$seed/social-orgs.csv" >"$WORK/verify.lua" <<'PY'
import csv, random, sys, urllib.parse
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
random.seed(7)
paths = []
for i, row in enumerate(random.sample(rows, 2000)):
    code = row["credit_code"].lower() if i % 10 == 1 else row["credit_code"]
    path = "/v1/social-orgs/verify?code=" + code
    if i % 10 == 0:
        path += "&name=" + urllib.parse.quote(row["name"])
    paths.append(path)
print("local paths = {" + ",".join('"%s"' % p for p in paths) + "}")
print('request = function() return wrk.format("GET", paths[math.random(#paths)]) end')
PY
# Near a random point around a city centre, within 5 km, with the filters a family would use.
cat >"$WORK/eldercare.lua" <<'LUA'
local centres = {{32.05,118.78},{31.57,120.30},{34.26,117.19},{31.81,119.97},{31.30,120.62},{32.01,120.86},
  {34.60,119.22},{33.55,119.03},{33.35,120.16},{32.39,119.41},{32.19,119.45},{32.46,119.92},{33.96,118.28}}
local filters = {"&has_free_beds=true", "&care_level=full_care&has_free_beds=true", "&min_star=3&max_monthly_price=6000",
  "&care_level=dementia&sort=price", "&nature=public&has_free_beds=true&sort=free_beds"}
request = function()
  local c = centres[math.random(#centres)]
  local lat = c[1] + (math.random() - 0.5) * 0.1
  local lng = c[2] + (math.random() - 0.5) * 0.1
  return wrk.format("GET", string.format("/v1/eldercare-facilities?near=%.5f,%.5f&radius_km=5", lat, lng) .. filters[math.random(#filters)])
end
LUA

# One answer of each kind, checked before measuring: a verification that finds, and a search that returns items.
first=$(sed -n 's/.*paths = {"\([^"]*\)".*/\1/p' "$WORK/verify.lua")
curl -fs "http://127.0.0.1:$PORT$first" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["found"], d' \
  || { echo "verification did not find a generated organisation" >&2; exit 1; }
curl -fs "http://127.0.0.1:$PORT/v1/eldercare-facilities?near=32.05,118.78&radius_km=5" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["items"] and "distance_m" in d["items"][0], d' \
  || { echo "eldercare search found nothing near Nanjing" >&2; exit 1; }

{
  measure healthz /healthz
  measure social-org-verify / "$WORK/verify.lua"
  measure eldercare-near-filtered / "$WORK/eldercare.lua"
} | report
rm -rf "$seed"
