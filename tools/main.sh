#!/usr/bin/env bash
# main.sh - README's first command: installs what descent needs (Debian
# packages, as root), builds it, runs the main job - `descent train` on
# Fashion-MNIST with the default network, ending with its test accuracy -
# then writes the lecture report (every experiment of the lectures in one
# self-contained HTML page).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
./build/descent train
./build/descent lectures -o report.html
echo "open report.html in a browser to see the lectures' experiments"
