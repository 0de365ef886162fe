#!/usr/bin/env bash
# The README's quick start as a new user runs it on a fresh clone: `pnpm dev`
# must give a working API on port 8000 with the embedded database, and
# `pnpm -s dev:token` a token it accepts.
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
echo "quickstart: ok"
