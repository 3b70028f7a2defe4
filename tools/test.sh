#!/usr/bin/env bash
# test.sh - the whole test suite, as README's second command and .ci/run.
# Installs what it needs, builds with -Werror in build-test/, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
jobs=$(nproc)
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DDESCENT_WERROR=ON >/dev/null
cmake --build build-test -j "$jobs"
ctest --test-dir build-test --output-on-failure -j "$jobs"
