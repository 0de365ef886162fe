#!/usr/bin/env bash
# The README's quick start as a new user runs it on a fresh clone: `pnpm dev`
# must give a working API on port 8000 with the embedded database, and
# `pnpm -s dev:token` a token it accepts; then the README's concurrent-edits
# example, taken from the README itself so it cannot go stale. First, the
# README's promise for when the API cannot start: with its port taken,
# `pnpm dev` stops as a whole, the web app with it, after the server's one line.
#
# PORT and WEB_PORT move the API and the web app (default 8000 and 3000, as
# the README says), to run this beside another server.
set -euo pipefail
cd "$(dirname "$0")/.."

api_port=${PORT:-8000}
web_port=${WEB_PORT:-3000}
log=$(mktemp)
dev_pid=
holder_pid=
# Each `pnpm dev` runs in a session of its own, so it can be ended as a whole.
cleanup() {
  if [ -n "$dev_pid" ]; then
    kill -TERM -- "-$dev_pid" 2>/dev/null || true
    wait "$dev_pid" 2>/dev/null || true
  fi
  if [ -n "$holder_pid" ]; then kill "$holder_pid" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT

serving() { curl -s -o /dev/null --max-time 2 "$1"; }
for url in "http://localhost:$api_port/health" "http://localhost:$web_port/"; do
  if serving "$url"; then
    echo "quickstart: something already answers at $url" >&2
    exit 1
  fi
done

# 1. The API's port held by another process (as by another `pnpm dev`).
node -e 'require("node:net").createServer().listen(Number(process.argv[1]), "0.0.0.0", () => console.log("held"))' \
  "$api_port" >"$log" &
holder_pid=$!
for _ in $(seq 1 100); do grep -q held "$log" && break; sleep 0.1; done
grep -q held "$log" || { echo "quickstart: could not hold port $api_port" >&2; exit 1; }
setsid pnpm dev >"$log" 2>&1 &
dev_pid=$!
# db:generate, then the preflight's own few seconds: far less than this.
for _ in $(seq 1 120); do kill -0 "$dev_pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$dev_pid" 2>/dev/null; then
  echo "quickstart: with port $api_port taken, \`pnpm dev\` was still running after 120 s" >&2
  tail -30 "$log" >&2
  exit 1
fi
status=0
wait "$dev_pid" || status=$?
line="Cannot start: PORT $api_port is already in use on 0.0.0.0: another process is listening there"
if [ "$status" -eq 0 ] || ! grep -qF "$line" "$log"; then
  echo "quickstart: with port $api_port taken, \`pnpm dev\` exited $status without the line \"$line\"" >&2
  tail -30 "$log" >&2
  exit 1
fi
left=$(pgrep -s "$dev_pid" || true)
if [ -n "$left" ] || serving "http://localhost:$web_port/"; then
  echo "quickstart: \`pnpm dev\` exited, but left processes ($left) or the web app on :$web_port" >&2
  exit 1
fi
dev_pid=
kill "$holder_pid"
wait "$holder_pid" 2>/dev/null || true
holder_pid=
echo "quickstart: with port $api_port taken, \`pnpm dev\` stopped as a whole (exit $status) after its one line"

# 2. The quick start itself.
setsid pnpm dev >"$log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://localhost:$api_port/health" && break
  sleep 1
done
health=$(curl -s "http://localhost:$api_port/health")
[ "$health" = '{"status":"ok","database":"ok"}' ] || { echo "quickstart: /health said: $health" >&2; tail -30 "$log" >&2; exit 1; }

TOKEN=$(pnpm -s dev:token demo-user)
created=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://localhost:$api_port/api/demo-user/tasks" \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d '{"title": "Try the API", "priority": "high", "tags": ["first"]}')
[ "$created" = "201" ] || { echo "quickstart: POST answered $created" >&2; exit 1; }
listed=$(curl -s "http://localhost:$api_port/api/demo-user/tasks" -H "Authorization: Bearer $TOKEN")
echo "$listed" | grep -q '"title":"Try the API"' || { echo "quickstart: list said: $listed" >&2; exit 1; }

# The README's "Concurrent edits and retries" example, run as written there:
# a retried create is replayed, and a write with a stale If-Match is a 412.
example=$(awk '/^<!-- \.ci\/quickstart\.sh runs the block below/ { marked = 1; next }
  marked && /^```bash$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }' README.md | sed "s|localhost:8000|localhost:$api_port|g")
[ -n "$example" ] || { echo "quickstart: README's concurrent-edits example not found" >&2; exit 1; }
said=$(bash -euo pipefail -c "$example" 2>&1) || { echo "quickstart: the concurrent-edits example failed: $said" >&2; exit 1; }
statuses=$(printf '%s\n' "$said" | grep -o 'HTTP/[0-9.]* [0-9]*' | awk '{ printf "%s ", $2 }')
said_each() {
  for expected in "$@"; do
    printf '%s\n' "$said" | grep -qiF -- "$expected" && continue
    echo "quickstart: the concurrent-edits example did not say $expected:" >&2
    printf '%s\n' "$said" >&2
    exit 1
  done
}
[ "$statuses" = "201 201 200 412 " ] || { echo "quickstart: the concurrent-edits example answered $statuses:" >&2; printf '%s\n' "$said" >&2; exit 1; }
said_each 'Idempotent-Replayed: true' 'ETag: "1"' 'ETag: "2"' '{"detail":"Precondition failed"}'
[ "$(printf '%s\n' "$said" | grep -ciF 'Idempotent-Replayed: true')" = 1 ] || { echo "quickstart: more than one replay: $said" >&2; exit 1; }
echo "quickstart: ok"
