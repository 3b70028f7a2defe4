#!/usr/bin/env bash
# bench-explorer.sh - the explorer's redraw time in headless chromium (6
# optimizers x 500 steps; tests/browser/bench.mjs), for BENCHMARKS.md.
# Needs a build with the wasm32 toolchain and tools/deps.sh's browser driver.
#   tools/bench-explorer.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/descent" explore -o "$tmp/explorer.html" >&2
for run in 1 2 3; do
    node "$root/tests/browser/bench.mjs" "$tmp/explorer.html"
done
