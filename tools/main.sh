#!/usr/bin/env bash
# main.sh - README's first command: installs what descent needs (Debian
# packages, as root), builds it, runs the main job - `descent train` on
# Fashion-MNIST with the default network, ending with its test accuracy -
# then writes the lecture report (every experiment of the lectures in one
# self-contained HTML page) and the optimizer explorer (one offline page
# where sliders redraw the paths, computed by descent's C engine in
# WebAssembly).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
./build/descent train
./build/descent lectures -o report.html
./build/descent explore -o explorer.html
echo "open report.html in a browser to see the lectures' experiments, explorer.html to play with them"
