#!/usr/bin/env bash
# make.sh - regenerates the README's pictures with descent itself (nothing
# here is drawn by hand): two `descent plot` figures, two figures cut out of
# `descent lectures`'s page, and headless-chromium screenshots of that page
# and of the explorer (`descent explore`).
# Usage, from the repository root after a build: doc/img/make.sh [build/descent]
set -euo pipefail
descent=$(realpath "${1:-build/descent}")
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$descent" plot --fn neuron --start -2,-2 --steps 100 --width 640 --height 420 \
    --opt sgd:lr=0.3 --opt sgd:lr=0.3,momentum=0.9 --opt nag:lr=0.3,momentum=0.9 \
    --title "GD (black), momentum (red), NAG (blue) on the CS7015 neuron" -o "$out/momentum.svg"
"$descent" plot --fn beale --start 1,1.5 --steps 1500 --animate --window -0.5,4,-1.5,2 \
    --width 640 --height 420 --opt sgd:lr=0.002 --opt sgd:lr=0.002,momentum=0.9 \
    --opt nag:lr=0.002,momentum=0.9 --opt adagrad:lr=0.3 --opt rmsprop:lr=0.01 --opt adam:lr=0.05 \
    --title "Optimizers racing on Beale's function" -o "$out/race-beale.svg"

"$descent" train --model mlp:784-64-10 --epochs 2 --save "$tmp/fm.ckpt" >/dev/null
"$descent" plot --confusion --model-file "$tmp/fm.ckpt" --data fashion-mnist --width 520 \
    --height 500 -o "$out/confusion.svg"

"$descent" lectures -o "$tmp/report.html"
python3 - "$tmp/report.html" "$out" <<'PY'
import re, sys
page, out = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
for name, file in (("sparse-momentum", "sparse.svg"), ("reddi", "reddi.svg")):
    fig = re.search(r'<figure[^>]*data-name="%s".*?(<svg\b.*?</svg>)' % name, page, re.S).group(1)
    with open("%s/%s" % (out, file), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n' + fig + "\n")
PY
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$tmp/profile" \
    --screenshot="$out/report.png" --window-size=1000,1250 "file://$tmp/report.html" >/dev/null 2>&1
# the explorer: four optimizers on rosenbrock, from a shared state (URL hash)
"$descent" explore -o "$tmp/explorer.html" >/dev/null
hash='fn=rosenbrock&start=-1.5,2&steps=300&opt=sgd:lr=0.001&opt=sgd:lr=0.001,momentum=0.9'
hash+='&opt=nag:lr=0.001&opt=adam:lr=0.05'
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$tmp/profile2" \
    --virtual-time-budget=5000 --screenshot="$out/explorer.png" --window-size=1100,900 \
    "file://$tmp/explorer.html#$hash" >/dev/null 2>&1
ls -l "$out"
