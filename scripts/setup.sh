#!/usr/bin/env bash
# Set-up on a fresh clone: a supported Node.js, the pinned pnpm, the dependencies.
#
# Node.js older than the floor (package.json "engines") is not replaced: Node 24
# (LTS) and pnpm are installed from the npm registry into PREFIX/bin (default
# /usr/local, ahead of the system's /usr/bin on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

node_floor=$(sed -n 's/.*"node": ">=\([0-9.]*\)".*/\1/p' package.json)
pnpm_version=$(sed -n 's/.*"packageManager": "pnpm@\([0-9.]*\)".*/\1/p' package.json)
prefix=${PREFIX:-/usr/local}

# True when version $1 is at least version $2 (both x.y.z, or x).
at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}
node_version() { node -p 'process.versions.node' 2>/dev/null || echo 0; }

if ! at_least "$(node_version)" "$node_floor"; then
  echo "setup: Node.js $(node_version) is older than $node_floor: installing Node 24 and pnpm $pnpm_version into $prefix"
  npm install -g --prefix "$prefix" --no-fund --no-audit "node@24" "pnpm@${pnpm_version}"
  hash -r
  if ! at_least "$(node_version)" "$node_floor"; then
    echo "setup: $prefix/bin/node is Node $("$prefix/bin/node" -p 'process.versions.node'), but \`node\` here is" \
      "still $(command -v node) ($(node_version)): put $prefix/bin before it on PATH, then run this again." >&2
    exit 1
  fi
fi

if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  # Beside the node that runs it (npm's own global prefix can be elsewhere).
  node_prefix=$(dirname "$(dirname "$(command -v node)")")
  echo "setup: installing pnpm $pnpm_version into $node_prefix"
  npm install -g --prefix "$node_prefix" --no-fund --no-audit "pnpm@${pnpm_version}"
  hash -r
fi

echo "setup: Node $(node_version), pnpm $(pnpm --version)"
pnpm install --frozen-lockfile
