#!/usr/bin/env bash
# backends.sh - the compute backends side by side (issue 11): seconds per
# epoch of the default Fashion-MNIST network (mlp:784-256-128-10 relu, adam
# 1e-3, batch 64) on the oneDNN build in fp32 and bf16 and on the OpenBLAS
# build in fp32, at THREADS threads. The three runs alternate, ROUNDS times,
# each keeping its best epoch, so a busy moment on a shared machine hurts
# all alike; the table gives the ratios to the OpenBLAS epoch and bf16's to
# fp32's.
#
#   ONEDNN=build/descent OPENBLAS=build-openblas/descent bench/backends.sh
#   ROUNDS=5 EPOCHS=3 THREADS=2 ...   more repetitions, another thread count
set -euo pipefail
ROUNDS=${ROUNDS:-3}
EPOCHS=${EPOCHS:-2}
THREADS=${THREADS:-1}
: "${ONEDNN:?the oneDNN build's descent}" "${OPENBLAS:?the OpenBLAS build's descent}"
PY=/usr/bin/python3

# best PROGRAM PRECISION: one bench run's best epoch in seconds, and its accuracy.
best() {
    "$1" bench train --threads "$THREADS" --epochs "$EPOCHS" --reps 1 --precision "$2" --json |
        "$PY" -c 'import json, sys; d = json.load(sys.stdin)
print(d["best_epoch_seconds"], d["test_accuracy"])'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A t acc
runs=("onednn fp32:$ONEDNN:fp32" "onednn bf16:$ONEDNN:bf16" "openblas fp32:$OPENBLAS:fp32")
for r in $(seq "$ROUNDS"); do
    for run in "${runs[@]}"; do
        IFS=: read -r name prog prec <<<"$run"
        read -r s a <<<"$(best "$prog" "$prec")"
        if [ -z "${t[$name]:-}" ] || "$PY" -c "import sys; sys.exit(not $s < ${t[$name]})"; then
            t[$name]=$s acc[$name]=$a
        fi
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| build, precision | s/epoch (best of %d) | vs OpenBLAS | test accuracy |\n' "$ROUNDS"
printf '| --- | --- | --- | --- |\n'
for run in "${runs[@]}"; do
    name=${run%%:*}
    printf '| %s | %.3f | %.2fx | %.4f |\n' "$name" "${t[$name]}" \
        "$("$PY" -c "print(${t[$name]} / ${t['openblas fp32']})")" "${acc[$name]}"
done
printf 'bf16 / fp32 on oneDNN: %.2fx\n' "$("$PY" -c "print(${t['onednn bf16']} / ${t['onednn fp32']})")"
