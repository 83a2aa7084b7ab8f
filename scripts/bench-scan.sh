#!/usr/bin/env bash
# Times `vigil scan` over the lab plus N generated buckets on a local test
# server (moto), and prints what the README's Benchmarks section reports:
#
#   wall time, and the server's own CPU time over the same scan (moto answers
#   one request at a time, so its busy time is what the requests need);
#   vigil's CPU (user+sys) and peak memory (GNU time -v, else /proc);
#   requests per bucket (counted from the server's request log);
#   time from start to the first request (from vigil's debug log, on a
#   second, short run).
#
# Usage: scripts/bench-scan.sh N        (N extra buckets, e.g. 1000)
#        VIGIL_BIN=path/to/vigil scripts/bench-scan.sh N   (skip the build)
# The release build goes to CARGO_TARGET_DIR, by default the shared
# ../release-target when it exists (so the SDK is compiled once), else target/.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:?usage: scripts/bench-scan.sh N (extra buckets to seed)}"
if [ -n "${VIGIL_BIN:-}" ]; then
  # A binary already built (e.g. target/debug/vigil: its CPU is an upper bound).
  vigil="$VIGIL_BIN"
else
  if [ -z "${CARGO_TARGET_DIR:-}" ]; then
    if [ -d ../release-target ]; then CARGO_TARGET_DIR="$(cd ../release-target && pwd)"; else CARGO_TARGET_DIR="$PWD/target"; fi
  fi
  export CARGO_TARGET_DIR
  echo "bench-scan: release build in $CARGO_TARGET_DIR" >&2
  cargo build --release --quiet --bin vigil
  vigil="$CARGO_TARGET_DIR/release/vigil"
fi

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
if [ ! -x .venv/bin/moto_server ]; then
  echo "bench-scan: creating .venv with moto[server]==$MOTO_VERSION (once)" >&2
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
work=$(mktemp -d -t vigil-bench.XXXXXX)
MOTO_IAM_LOAD_MANAGED_POLICIES=false .venv/bin/python scripts/moto_server.py -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; if [ -n "${VIGIL_BENCH_KEEP:-}" ]; then echo "bench-scan: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do
  if .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then break; fi
  kill -0 "$moto_pid" 2>/dev/null || { echo "bench-scan: the test server did not start" >&2; cat "$work/moto.log" >&2; exit 1; }
  sleep 0.2
done

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL || true
endpoint="http://127.0.0.1:$port"

echo "bench-scan: seeding the lab and $n extra buckets (takes a while: the server is slow)" >&2
"$vigil" --endpoint-url "$endpoint" lab seed --extra-buckets "$n" >/dev/null 2>"$work/seed.err" || { cat "$work/seed.err" >&2; exit 1; }

# moto's CPU time so far, in clock ticks (utime + stime, /proc/PID/stat).
moto_ticks() { awk '{print $14 + $15}' "/proc/$moto_pid/stat"; }
# One access-log line per request; non-2xx lines are wrapped in colour codes.
requests() { grep -cE '(GET|PUT|POST|HEAD|DELETE) /[^ ]* HTTP/1\.[01]' "$work/moto.log" || true; }

gnu_time=""
if /usr/bin/time -v true >/dev/null 2>&1; then gnu_time=/usr/bin/time; fi

req_before=$(requests)
ticks_before=$(moto_ticks)
start=$(date +%s.%N)
set +e
if [ -n "$gnu_time" ]; then
  "$gnu_time" -v -o "$work/time.txt" "$vigil" --endpoint-url "$endpoint" scan --format json --only s3 >"$work/scan.json" 2>"$work/scan.err"
else
  "$vigil" --endpoint-url "$endpoint" scan --format json --only s3 >"$work/scan.json" 2>"$work/scan.err" &
  pid=$!
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.05
  done
  wait "$pid"
fi
code=$?
set -e
end=$(date +%s.%N)
ticks_after=$(moto_ticks)
req_after=$(requests)
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then echo "bench-scan: vigil scan failed ($code):" >&2; cat "$work/scan.err" >&2; exit 1; fi

buckets=$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['buckets'])" "$work/scan.json")
hz=$(getconf CLK_TCK)
if [ -n "$gnu_time" ]; then
  user=$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")
  sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")
  peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  cpu=$(.venv/bin/python -c "print(f'{$user + $sys:.2f}')")
  cpu_note="user $user s + sys $sys s"
else
  cpu="n/a"
  cpu_note="no GNU time here: install it (apt-get install time) for the CPU figures"
fi

# Time to the first request: a short run with the SDK's debug log.
log="$work/first.log"
t0=$(date +%s.%N)
VIGIL_LOG="$log" RUST_LOG="aws_smithy_runtime::client::orchestrator=debug" \
  "$vigil" --endpoint-url "$endpoint" scan --format json --only s3 --bucket vigil-lab-public-policy >/dev/null 2>&1 || true
first=$(.venv/bin/python - "$log" "$t0" <<'PY'
import sys, datetime
path, t0 = sys.argv[1], float(sys.argv[2])
for line in open(path, encoding="utf-8", errors="replace"):
    if "beginning attempt" in line or "send_operation" in line:
        stamp = line.split()[0].rstrip("Z")
        t = datetime.datetime.fromisoformat(stamp).replace(tzinfo=datetime.timezone.utc).timestamp()
        print(f"{t - t0:.3f}")
        break
else:
    print("n/a")
PY
)

.venv/bin/python - "$start" "$end" "$ticks_before" "$ticks_after" "$hz" "$req_before" "$req_after" "$buckets" "$cpu" "$peak" "$first" "$cpu_note" "$n" <<'PY'
import sys
start, end, tb, ta, hz, rb, ra, buckets, cpu, peak, first, note, n = sys.argv[1:]
wall = float(end) - float(start)
server = (int(ta) - int(tb)) / int(hz)
reqs = int(ra) - int(rb)
per = reqs / int(buckets) if int(buckets) else 0
print(f"buckets scanned:        {buckets} ({n} generated + the lab)")
print(f"wall time:              {wall:.2f} s")
print(f"server CPU (its need):  {server:.2f} s  -> wall is {wall / server * 100 - 100:+.1f}% of it" if server else "server CPU: n/a")
print(f"vigil CPU:              {cpu} s  ({note})")
print(f"vigil peak memory:      {int(peak) / 1024:.1f} MB")
print(f"requests:               {reqs} ({per:.2f} per bucket)")
print(f"first request after:    {first} s")
PY
