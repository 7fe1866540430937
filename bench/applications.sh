#!/usr/bin/env bash
# Service guides and application progress under load, next to GET /healthz measured in the same run: the
# catalogue list and a guide (from memory), an application submitted (a write with its outbox event), the
# anonymous look-up and a citizen's own list (reads by key).
#   make release && bench/applications.sh
# Env: APPLICATIONS (submitted before the reads, default 2000), DURATION (per endpoint, 10s), CONNECTIONS (64).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_wrk
APPLICATIONS=${APPLICATIONS:-2000}
# Look-ups come from one address here; their limit would measure itself.
SERVER_ENV="MINZHENG_APPLICATION_LOOKUPS=off MINZHENG_NOTIFY_WORKER=off"
start_server "$BENCH_ROOT/seed-data"
echo "# $(date -u +%FT%TZ), backend $BACKEND, $APPLICATIONS applications, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores" >&2

key=$(cli clients create --name bench | grep -o 'mzk_[A-Za-z0-9_-]*')
token=$(call 201 POST /v1/citizen-sessions '{"subject":"bench-citizen"}' "X-Client-Key: $key" | json 'd["token"]')

# Valid ID numbers (GB 11643 check character), one per application; the look-up script asks for each by its number
# and the ID's last six characters.
cat >"$WORK/ids.lua" <<'LUA'
local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = {"1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"}
function id_number(n)
  local body = string.format("320102%04d%02d%02d%03d", 1950 + n % 50, 1 + n % 12, 1 + n % 28, n % 1000)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(body:sub(i, i)) * weights[i] end
  return body .. checks[sum % 11 + 1]
end
LUA
python3 - "$APPLICATIONS" "$PORT" "$token" >"$WORK/lookup.lua" <<'PY'
import json, sys, urllib.request
count, port, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def id_number(n):
    body = "320102%04d%02d%02d%03d" % (1950 + n % 50, 1 + n % 12, 1 + n % 28, n % 1000)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
pairs = []
for n in range(count):
    body = json.dumps({"item_code": "MZ-03-001", "division": "320102",
                       "applicant": {"name": "王小明", "id_number": id_number(n), "phone": "13912345678"}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/applications", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    number = json.load(urllib.request.urlopen(request))["number"]
    pairs.append('{"number":"%s","id_suffix":"%s"}' % (number, id_number(n)[-6:]))
print("local bodies = {" + ",".join("'%s'" % p for p in pairs) + "}")
print('request = function() return wrk.format("POST", "/v1/application-lookups", {["Content-Type"]="application/json"}, bodies[math.random(#bodies)]) end')
PY
cat >"$WORK/items.lua" <<'LUA'
local divisions = {"32", "3201", "320102", "320102002", "3205", "320583", "3213", "321324"}
local topics = {"", "&topic=%E7%A4%BE%E4%BC%9A%E6%95%91%E5%8A%A9", "&topic=%E5%A9%9A%E5%A7%BB%E6%94%B6%E5%85%BB", "&q=%E7%99%BB%E8%AE%B0"}
request = function() return wrk.format("GET", "/v1/service-items?division=" .. divisions[math.random(#divisions)] .. topics[math.random(#topics)]) end
LUA
cat >"$WORK/guide.lua" <<'LUA'
local divisions = {"32", "3201", "320102", "320102002", "3205", "320583", "3213", "321324"}
request = function()
  local code = string.format("MZ-0%d-00%d", math.random(7), math.random(5))
  return wrk.format("GET", "/v1/service-items/" .. code .. "?division=" .. divisions[math.random(#divisions)])
end
LUA
cat "$WORK/ids.lua" - >"$WORK/submit.lua" <<LUA
local n = 100000
request = function()
  n = n + 1
  local body = '{"item_code":"MZ-03-001","division":"320102","applicant":{"name":"王小明","id_number":"' .. id_number(n) .. '","phone":"13912345678"}}'
  return wrk.format("POST", "/v1/applications", {["Content-Type"]="application/json", ["Authorization"]="Bearer $token"}, body)
end
LUA
# A citizen with five applications (the bench citizen above has thousands).
mine=$(call 201 POST /v1/citizen-sessions '{"subject":"bench-mine"}' "X-Client-Key: $key" | json 'd["token"]')
for id in 110101199001011237 110101199001012192 110101199001013152 110101199001014091 110101199001015035; do
  call 201 POST /v1/applications '{"item_code":"MZ-04-003","division":"3201","applicant":{"name":"李四","id_number":"'$id'","phone":"13912345678"}}' \
    "Authorization: Bearer $mine" >/dev/null
done
cat >"$WORK/mine.lua" <<LUA
request = function() return wrk.format("GET", "/v1/applications", {["Authorization"]="Bearer $mine"}) end
LUA

# One answer of each kind, checked before measuring.
call 200 GET "/v1/service-items?division=320102" | json 'len(d["items"])' | grep -qx 46
call 200 GET "/v1/service-items/MZ-03-001?division=320102002" | json 'd["local"]["division_code"]' | grep -qx 320102
first=$(sed -n "s/^local bodies = {'\([^']*\)'.*/\1/p" "$WORK/lookup.lua")
call 200 POST /v1/application-lookups "$first" >/dev/null

{
  measure healthz /healthz
  measure service-items / "$WORK/items.lua"
  measure service-guide / "$WORK/guide.lua"
  measure application-lookup / "$WORK/lookup.lua"
  measure my-applications / "$WORK/mine.lua"
  measure submit-application / "$WORK/submit.lua"
} | report
