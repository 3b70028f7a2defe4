#!/usr/bin/env bash
# main.sh - README's first command: installs what descent needs, builds it,
# and runs the main job: `descent train` on Fashion-MNIST with the default
# network, ending with its test accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
./build/descent train
