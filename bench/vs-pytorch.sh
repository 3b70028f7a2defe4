#!/usr/bin/env bash
# vs-pytorch.sh - descent against PyTorch 1.13 (Debian's python3-torch) on
# the same CPU, in one go: the optimizer step over 10M parameters and a
# Fashion-MNIST epoch of mlp:784-256-128-10 (relu, adam 1e-3, batch 64), at
# 1 thread and at all threads. The two sides alternate, ROUNDS times, and
# each keeps its best, so a busy moment on the machine hurts both alike.
# Round r trains with seed r on both sides; test accuracy is compared as the
# mean over the rounds. Prints the table BENCHMARKS.md shows and checks the
# issue's targets.
#
#   bench/vs-pytorch.sh                    build (build-bench/), install torch if missing, run
#   ROUNDS=5 EPOCHS=3 bench/vs-pytorch.sh  more repetitions
#   DESCENT=path/to/descent bench/vs-pytorch.sh   use a built program
#   OPENBLAS=build-openblas/descent ...    also train on the OpenBLAS backend's build
# The descent program's epochs also run in bf16 when it has the oneDNN
# backend on a CPU with native bf16 (side "descent-bf16").
#
# Then the convolutional workload (issue 12): --model 2c2d (DeepOBS's
# fmnist_2c2d, adam 1e-3, batch 64) at one thread, in fp32 and in bf16
# where the program has --precision and the CPU native bf16 (torch: CPU
# autocast), alternating CNN_ROUNDS times, each process's peak RSS kept:
#   CNN_ROUNDS=3    rounds (0: none)     CNN_LIMIT=6400  train on the first
#   N images only (0: the full epoch of 60,000); ROUNDS=0: only this workload
#
# Raw JSON lines land in $OUT (default build-bench/vs-pytorch.jsonl) and
# $CNN_OUT (default build-bench/vs-pytorch-2c2d.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
EPOCHS=${EPOCHS:-2}
PARAMS=${PARAMS:-10000000}
PY=/usr/bin/python3 # Debian's python: python3-torch is installed for it

if ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
    echo "installing python3-torch (PyTorch 1.13) and python3-numpy..." >&2
    apt-get install -y python3-torch python3-numpy >&2
fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    echo "installing dataset-fashion-mnist..." >&2
    apt-get install -y dataset-fashion-mnist >&2
fi
if [ -z "${DESCENT:-}" ]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-bench -j "$(nproc)" --target descent_cli >/dev/null
    DESCENT=build-bench/descent
fi
OUT=${OUT:-build-bench/vs-pytorch.jsonl}
mkdir -p "$(dirname "$OUT")" && : >"$OUT"

# tag SIDE WORKLOAD CMD...: runs CMD and records its JSON line, tagged.
tag() {
    local side=$1 work=$2; shift 2
    "$@" | "$PY" -c 'import json, sys
d = json.loads(sys.stdin.read()); d["side"], d["workload"] = sys.argv[1], sys.argv[2]
print(json.dumps(d))' "$side" "$work" >>"$OUT"
}

# bf16 epochs where the program runs them (oneDNN on a bf16 CPU)
bf16=0
[[ "$("$DESCENT" --version)" =~ onednn:.*isa\ [a-z0-9_]*(bf16|amx) ]] && bf16=1

all=$(nproc)
threads="1"
[ "$all" -gt 1 ] && threads="1 $all"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $all cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS..." >&2
    for t in $threads; do
        tag descent optim "$DESCENT" bench optim --threads "$t" --params "$PARAMS" --json
        tag torch optim "$PY" bench/torch_bench.py optim --threads "$t" --params "$PARAMS"
        # each round its own seed (weights and shuffle): accuracy is compared over seeds
        tag descent train "$DESCENT" bench train --threads "$t" --epochs "$EPOCHS" \
            --seed "$round" --json
        tag torch train "$PY" bench/torch_bench.py train --threads "$t" --epochs "$EPOCHS" \
            --seed "$round"
        [ "$bf16" = 0 ] || tag descent-bf16 train "$DESCENT" bench train --threads "$t" \
            --epochs "$EPOCHS" --seed "$round" --precision bf16 --json
        [ -z "${OPENBLAS:-}" ] || tag descent-openblas train "$OPENBLAS" bench train \
            --threads "$t" --epochs "$EPOCHS" --seed "$round" --json
    done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
[ "$ROUNDS" = 0 ] || "$PY" bench/report.py "$OUT"
bench/vs-pytorch-2c2d.sh "$DESCENT"
