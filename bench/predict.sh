#!/usr/bin/env bash
# predict.sh - `descent predict` on a large CSV: rows per second against
# the same rows read from a stream file (binary floats: the forward pass,
# block I/O and output writing without any parsing), and the peak RSS of
# each (issue 14: 1,000,000 rows of 100 features through mlp:100-64-1 in
# under 200 MB, at >= 50% of the forward pass's rate). The two runs
# alternate ROUNDS times so a busy moment on this shared machine hurts
# both alike; the table gives each one's best and median.
#
#   bench/predict.sh                       1,000,000 rows, 100 features
#   ROWS=200000 ROUNDS=5 bench/predict.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
FEATURES=${FEATURES:-100}
ROUNDS=${ROUNDS:-3}
DESCENT=${DESCENT:-build/descent}
work=$(mktemp -d "${TMPDIR:-/tmp}/descent-predict.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$DESCENT" gen linear --rows "$ROWS" --features "$FEATURES" -o "$work/big.ds" >/dev/null
# the same rows as CSV (a header, the features and the target), %.7g each
/usr/bin/python3 - "$work/big.ds" "$work/big.csv" "$FEATURES" <<'PY'
import sys, numpy as np
f = int(sys.argv[3])
rows = np.fromfile(sys.argv[1], dtype="<f4", offset=64).reshape(-1, f + 1)
with open(sys.argv[2], "w") as out:
    out.write(",".join("x%d" % j for j in range(f)) + ",label\n")
    for lo in range(0, len(rows), 65536):
        np.savetxt(out, rows[lo:lo + 65536], fmt="%.7g", delimiter=",")
PY
"$DESCENT" train --data "linear:n=2000,features=$FEATURES" --model "mlp:$FEATURES-64-1" \
    --loss mse --epochs 1 --save "$work/m.ckpt" >/dev/null 2>&1

# run NAME DATA: seconds and peak RSS (MB) of one predict, appended to $work/NAME
run() {
    /usr/bin/python3 - "$work/$1" "$DESCENT" predict --model-file "$work/m.ckpt" --data "$2" \
        -o "$work/out.csv" <<'PY'
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[2:], check=True)
dt = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
open(sys.argv[1], "a").write("%.4f %.1f\n" % (dt, rss))
PY
}
for ((r = 0; r < ROUNDS; r++)); do
    run csv "$work/big.csv"
    run stream "stream:$work/big.ds"
done
size=$(du -m "$work/big.csv" | cut -f1)
/usr/bin/python3 - "$work/csv" "$work/stream" "$ROWS" "$size" <<'PY'
import statistics, sys
def load(p): return [tuple(map(float, l.split())) for l in open(p)]
csv, stream, rows, mb = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print("predict, %d rows (CSV %s MB), mlp:100-64-1, %d rounds alternating" % (rows, mb, len(csv)))
print("%-28s %12s %12s %12s" % ("input", "best rows/s", "median", "peak RSS MB"))
for name, t in (("CSV (parse + forward)", csv), ("stream file (forward)", stream)):
    s = [x[0] for x in t]
    print("%-28s %12.0f %12.0f %12.0f" % (name, rows / min(s), rows / statistics.median(s), max(x[1] for x in t)))
best = min(x[0] for x in stream) / min(x[0] for x in csv)
med = statistics.median(x[0] for x in stream) / statistics.median(x[0] for x in csv)
print("CSV rate / stream rate: best %.2f, median %.2f" % (best, med))
PY
