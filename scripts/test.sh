#!/usr/bin/env bash
# The whole test suite, against a real AWS-compatible server (moto).
#
# Creates .venv with moto[server] when missing, starts the server on a free
# loopback port, runs every test, and stops the server however the tests end.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
if [ ! -x .venv/bin/moto_server ]; then
  echo "test.sh: creating .venv with moto[server]==$MOTO_VERSION (about a minute, once)" >&2
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp -t vigil-moto.XXXXXX.log)
MOTO_IAM_LOAD_MANAGED_POLICIES=false .venv/bin/python scripts/moto_server.py -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "test.sh: the test server did not start:" >&2; cat "$log" >&2; exit 1
  fi
  sleep 0.2
done

export VIGIL_TEST_ENDPOINT="http://127.0.0.1:$port"
export VIGIL_TEST_PYTHON="$PWD/.venv/bin/python"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL || true
echo "test.sh: test server on $VIGIL_TEST_ENDPOINT" >&2

# Seed the lab once before the tests. Seeding is idempotent but two seeds at
# once both see a user without keys or MFA device and both create them (key
# quota exceeded, a key too many); the tests, which seed in parallel, then
# find everything in place and only re-apply settings.
cargo run --quiet -- --endpoint-url "$VIGIL_TEST_ENDPOINT" lab seed >/dev/null

# With arguments (e.g. `--test lab_on_server`), run just those tests.
if [ "$#" -gt 0 ]; then
  cargo test "$@"
else
  cargo test --all-targets --no-fail-fast
fi
