#!/usr/bin/env bash
# conv.sh [BUILD_DIR] [REPS] - the convolutions of --model 2c2d through
# descent's compute layer (bench/conv_bench.c: reorders to and from NCHW,
# the bias gradient, the primitives) against oneDNN's convolution
# primitives alone on the same shapes (their own times from oneDNN's
# verbose log of the same run: blocked layouts, no reorders). One thread;
# best call of REPS for both. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
REPS=${2:-20}
cmake --build "$BUILD" --target conv_bench >/dev/null
DNNL_VERBOSE=1 OMP_NUM_THREADS=1 "$BUILD/bench/conv_bench" "$REPS" | /usr/bin/python3 -c '
import json, sys
from collections import defaultdict
times = defaultdict(list)  # this group of calls: primitive kind -> exec times
print("| conv | shape | direction | precision | descent GFLOP/s | oneDNN alone GFLOP/s | descent / alone |")
print("|---|---|---|---|---|---|---|")
for line in sys.stdin:
    if line.startswith("{"):
        d = json.loads(line)
        # each kind of convolution primitive: its best call after the first (creation)
        alone = sum(min(t[1:]) for t in times.values() if len(t) > 1) / 1e3
        flops = d["gflops"] * d["seconds"]
        cells = [d["conv"], d["shape"], d["dir"], d["precision"], "%.1f" % d["gflops"],
                 "%.1f" % (flops / alone), "%.2f" % (alone / d["seconds"])]
        print("| " + " | ".join(str(c) for c in cells) + " |")
        times.clear()
    elif line.startswith(("onednn_verbose,exec", "dnnl_verbose,exec")) and ",convolution," in line:
        f = line.strip().split(",")
        times[f[5] + f[-2]].append(float(f[-1]))
'
