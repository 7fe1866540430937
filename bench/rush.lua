-- wrk script of bench/rush.sh: every request books a place for a couple who has never booked, so the only
-- refusal a correct server gives is the place running out (409 slot_full).
-- Env, set by rush.sh: RUSH_TOKENS (citizen session tokens) and RUSH_OFFICES (office ids), comma-separated;
-- RUSH_DATE (YYYY-MM-DD). Prints "statuses 201=.. 409=..", "codes slot_full=..", "attempts N" and "errors ..".

local function list(name)
  local items = {}
  for item in (os.getenv(name) or ""):gmatch("[^,]+") do items[#items + 1] = item end
  assert(#items > 0, name .. " is not set")
  return items
end

local tokens, offices = list("RUSH_TOKENS"), list("RUSH_OFFICES")
local date = assert(os.getenv("RUSH_DATE"), "RUSH_DATE is not set")
local periods = {"09:00", "10:00", "11:00", "14:00", "15:00", "16:00"}
local body_format = '{"office_id":%s,"date":"%s","period":"%s","service":"marriage","applicants":['
  .. '{"name":"张三","id_number":"%s","phone":"13800138000"},{"name":"李四","id_number":"%s","phone":"13900139000"}]}'

-- Resident ID numbers (GB 11643): the check character over the first 17 digits.
local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local check_characters = "10X98765432"
local function id_number(first17)
  local sum = 0
  for i = 1, 17 do sum = sum + (first17:byte(i) - 48) * weights[i] end
  local r = sum % 11 + 1
  return first17 .. check_characters:sub(r, r)
end

-- Births on 1970-01-01 .. 1999-12-31 (days 0 .. 10956 of the Unix epoch): of marriage age on any bookable day.
local birth_days = 10957

-- Couple n (0, 1, ...) of the thread with this address code. (birth day, sequence pair) differs for every n and
-- the address code for every thread, so no person ever comes twice; the man takes the odd sequence number.
local function couple(address, n)
  local day, pair = n % birth_days, math.floor(n / birth_days)
  assert(pair < 499, "out of couples")
  local birth = os.date("!%Y%m%d", day * 86400)
  return id_number(string.format("%s%s%03d", address, birth, 2 * pair + 1)),
    id_number(string.format("%s%s%03d", address, birth, 2 * pair + 2))
end

-- Main state: number the threads and keep them, for done.
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

-- Thread state. Slots (office, period) are taken in a fresh random order each round rather than drawn
-- independently: the places then fill evenly and are all gone well before wrk stops, so the requests wrk drops
-- in flight at the end cannot have booked a place it never saw the 201 of.
local address, n, order, position

local function shuffle()
  for i = #order, 2, -1 do
    local j = math.random(i)
    order[i], order[j] = order[j], order[i]
  end
  position = 0
end

-- RUSH_THREAD_OFFSET: shifts the threads' address codes, so a second run in the same server books new people.
local offset = tonumber(os.getenv("RUSH_THREAD_OFFSET") or "0")

function init(args)
  assert(id and id + offset <= 98, "thread id out of the address codes")
  address = string.format("%06d", 320101 + id + offset)  -- 320102, 320103, ...: keeps the threads' people apart
  math.randomseed(os.time() * 100 + id)
  n, order = 0, {}
  for slot = 1, #offices * #periods do order[slot] = slot end
  shuffle()
end

function request()
  if position == #order then shuffle() end
  position = position + 1
  local slot = order[position] - 1
  local office, period = offices[math.floor(slot / #periods) + 1], periods[slot % #periods + 1]
  local man, woman = couple(address, n)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Idempotency-Key"] = string.format("rush-%s-%d", address, n),
  }
  n = n + 1
  return wrk.format("POST", "/v1/marriage-bookings", headers, string.format(body_format, office, date, period, man, woman))
end

-- Counts live in plain globals ("status:201", and the list "status" of names seen) because thread:get copies
-- numbers and strings well but pops one value too many after copying a table (wrk 4.1 script_copy_value).
local function count(kind, name)
  local key = kind .. ":" .. name
  if _G[key] == nil then
    _G[key] = 0
    _G[kind] = (_G[kind] or "") .. name .. ","
  end
  _G[key] = _G[key] + 1
end

function response(status, headers, body)
  count("status", status)
  if status ~= 201 then count("code", body:match('"code"%s*:%s*"([%w_]+)"') or "none") end
end

function done(summary, latency, requests)
  local function total(kind)
    local sums, names = {}, {}
    for _, thread in ipairs(threads) do
      for name in (thread:get(kind) or ""):gmatch("[^,]+") do
        if not sums[name] then sums[name], names[#names + 1] = 0, name end
        sums[name] = sums[name] + thread:get(kind .. ":" .. name)
      end
    end
    table.sort(names)
    local parts = {}
    for _, name in ipairs(names) do parts[#parts + 1] = name .. "=" .. string.format("%d", sums[name]) end
    return table.concat(parts, " ")
  end
  local e = summary.errors
  io.write("statuses ", total("status"), "\n")
  io.write("codes ", total("code"), "\n")
  io.write("attempts ", string.format("%d", summary.requests), "\n")
  io.write(string.format("errors connect=%d read=%d write=%d timeout=%d\n", e.connect, e.read, e.write, e.timeout))
end
