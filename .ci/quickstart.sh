#!/usr/bin/env bash
# The README's quick start as a new user runs it on a fresh clone: `pnpm dev`
# must give a working API on port 8000 with the embedded database, and
# `pnpm -s dev:token` a token it accepts; then the README's concurrent-edits
# example, taken from the README itself so it cannot go stale.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
if curl -s -o /dev/null "http://localhost:8000/health"; then
  echo "quickstart: port 8000 is already in use" >&2
  exit 1
fi
setsid pnpm dev >"$log" 2>&1 &
dev_pid=$!
cleanup() { kill -TERM -- "-$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://localhost:8000/health" && break
  sleep 1
done
health=$(curl -s "http://localhost:8000/health")
[ "$health" = '{"status":"ok","database":"ok"}' ] || { echo "quickstart: /health said: $health" >&2; tail -30 "$log" >&2; exit 1; }

TOKEN=$(pnpm -s dev:token demo-user)
created=$(curl -s -o /dev/null -w '%{http_code}' -X POST http://localhost:8000/api/demo-user/tasks \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d '{"title": "Try the API", "priority": "high", "tags": ["first"]}')
[ "$created" = "201" ] || { echo "quickstart: POST answered $created" >&2; exit 1; }
listed=$(curl -s http://localhost:8000/api/demo-user/tasks -H "Authorization: Bearer $TOKEN")
echo "$listed" | grep -q '"title":"Try the API"' || { echo "quickstart: list said: $listed" >&2; exit 1; }

# The README's "Concurrent edits and retries" example, run as written there:
# a retried create is replayed, and a write with a stale If-Match is a 412.
example=$(awk '/^<!-- \.ci\/quickstart\.sh runs the block below/ { marked = 1; next }
  marked && /^```bash$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }' README.md)
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
