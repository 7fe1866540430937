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

# start_server SEED_DIR: starts the release build on a fresh data directory; sets PORT, SERVER_PID, WORK.
start_server() {
  WORK=$(mktemp -d /tmp/minzheng-bench.XXXXXX)
  PORT=$(free_port)
  MINZHENG_DATA_DIR="$WORK/data" MINZHENG_SEED_DIR="$1" MINZHENG_PORT=$PORT MINZHENG_LOG_LEVEL=warning \
    "$BIN" serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  # "|| true": under set -e the killed server's status (143) would end the trap early and become the exit status.
  trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 $SERVER_PID 2>/dev/null || { cat "$WORK/server.log"; return 1; }
    sleep 0.1
  done
  echo "server did not start" >&2; return 1
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
