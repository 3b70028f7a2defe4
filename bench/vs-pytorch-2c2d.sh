#!/usr/bin/env bash
# vs-pytorch-2c2d.sh DESCENT - the convolutional part of bench/vs-pytorch.sh
# (which runs it last; it runs alone too): descent's --model 2c2d against
# torch_bench.py --model 2c2d at one thread, fp32, and bf16 where both sides
# have it, the sides alternating CNN_ROUNDS times; every process under
# /usr/bin/time for its peak RSS. CNN_LIMIT=N trains on the first N
# training images on both sides (an IDX copy for descent), 0 the full set.
# CNN_THREADS="1 2" adds fp32 runs of both sides at the other thread counts
# (the all-threads target compares descent's best count with PyTorch's).
set -euo pipefail
cd "$(dirname "$0")/.."
DESCENT=${1:-build-bench/descent}
PY=/usr/bin/python3
CNN_ROUNDS=${CNN_ROUNDS:-3}
CNN_LIMIT=${CNN_LIMIT:-6400}
CNN_THREADS=${CNN_THREADS:-1}
CNN_OUT=${CNN_OUT:-build-bench/vs-pytorch-2c2d.jsonl}
[ "$CNN_ROUNDS" -gt 0 ] || exit 0
dir=$(dirname "$CNN_OUT")
mkdir -p "$dir" && : >"$CNN_OUT"
data=()
if [ "$CNN_LIMIT" -gt 0 ]; then
    "$PY" tools/idx_head.py train "$CNN_LIMIT" "$dir/2c2d"
    data=(--data "idx:$dir/2c2d-images.idx,$dir/2c2d-labels.idx")
fi
precisions="fp32"
if "$DESCENT" bench train --help 2>&1 | grep -q -- --precision &&
    [[ "$("$DESCENT" --version)" =~ onednn:.*isa\ [a-z0-9_]*(bf16|amx) ]]; then
    precisions="fp32 bf16"
fi
rss="$dir/2c2d-rss.txt"
# run SIDE PRECISION THREADS CMD...: CMD's JSON line with its side,
# precision, thread count and peak RSS (bytes), appended to CNN_OUT.
run() {
    local side=$1 prec=$2 threads=$3; shift 3
    /usr/bin/time -f %M -o "$rss" "$@" | "$PY" -c 'import json, sys
d = json.loads(sys.stdin.read())
d["side"], d["precision"], d["threads"] = sys.argv[1], sys.argv[2], int(sys.argv[4])
d["peak_rss_bytes"] = int(open(sys.argv[3]).read().split()[-1]) * 1024
print(json.dumps(d))' "$side" "$prec" "$rss" "$threads" >>"$CNN_OUT"
}
echo "2c2d: load $(cut -d' ' -f1-3 /proc/loadavg), precisions: $precisions, limit $CNN_LIMIT" >&2
for round in $(seq "$CNN_ROUNDS"); do
    echo "2c2d round $round/$CNN_ROUNDS..." >&2
    for t in $CNN_THREADS; do
        for p in $precisions; do
            [ "$t" = 1 ] || [ "$p" = fp32 ] || continue
            flag=()
            [ "$p" = fp32 ] || flag=(--precision "$p")
            run descent "$p" "$t" "$DESCENT" bench train --model 2c2d --threads "$t" \
                --seed "$round" "${data[@]}" "${flag[@]}" --json
            run torch "$p" "$t" "$PY" bench/torch_bench.py train --model 2c2d --threads "$t" \
                --seed "$round" --limit "$CNN_LIMIT" --precision "$p"
        done
    done
done
echo "2c2d: load at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$PY" bench/report_2c2d.py "$CNN_OUT"
