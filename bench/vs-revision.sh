#!/usr/bin/env bash
# vs-revision.sh - every update rule's step time against another revision
# of descent, in one run. One program, bench/optim_place.c (public API
# only), is built against both revisions' libdescent; the two alternate
# ROUNDS times (A B A B ...) at each size of SIZES and each thread count of
# THREADS, so a busy moment on this shared machine hurts both alike. Each
# process reports per rule the median over PLACES placements of x and g in
# memory of the best of REPS steps; the table gives the median over the
# rounds for both builds and their ratio new/old.
#
# Read the sizes differently. At 30000 parameters every rule's arrays (up
# to five of 120 KB) stay in the core's 1 MiB L2, at 100000 in L2 and L3:
# the step time is the code's, and a ratio above 1 is a rule made slower
# (identical code reads 0.89-1.03 there). At 1M and 10M the step streams
# from L3 and DRAM: the same binary swings by 1.5x from one process to the
# next with where its pages land and what the machine's neighbours do
# (BENCHMARKS.md, issue 16), so only a ratio far outside that spread says
# anything.
#
#   bench/vs-revision.sh REV              build REV (git archive, in a temp
#                                         folder) and this tree, then compare
#   ROUNDS=21 SIZES="100000 10000000" THREADS="1 2" bench/vs-revision.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/vs-revision.sh REV}
ROUNDS=${ROUNDS:-7}
SIZES=${SIZES:-30000 100000}
THREADS=${THREADS:-1 $(nproc)}
REPS=${REPS:-20}
PLACES=${PLACES:-8}
work=$(mktemp -d "${TMPDIR:-/tmp}/descent-vsrev.XXXXXX")
trap 'rm -rf "$work"' EXIT
ROWS=${ROWS:-$work/rows} # ROWS=file keeps every process's figures

build() { # build SIDE SRC: libdescent (Release) and optim_place against it
    local dir=$work/$1-build
    cmake -S "$2" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DDESCENT_TESTS=OFF >/dev/null
    cmake --build "$dir" -j "$(nproc)" --target descent >/dev/null
    local lib
    lib=$(dirname "$(find "$dir" -name libdescent.so -print -quit)")
    cc -O2 -I"$2/include" -I"$dir/include" bench/optim_place.c -L"$lib" -ldescent \
        -Wl,-rpath,"$lib" -o "$work/$1-place"
}
mkdir -p "$work/old"
git archive "$rev" | tar -x -C "$work/old"
build old "$work/old"
build new .

# run SIDE THREADS PARAMS: one process, its rows appended as "side threads/params rule ms".
run() {
    OMP_NUM_THREADS=$2 "$work/$1-place" "$3" "$2" "$REPS" "$PLACES" |
        awk -v s="$1" -v k="$2/$3" '{ print s, k, $1, $2 }' >>"$ROWS"
}
for threads in $THREADS; do
    for params in $SIZES; do
        for ((r = 0; r < ROUNDS; r++)); do
            run old "$threads" "$params"
            run new "$threads" "$params"
        done
    done
done
echo "median over $ROUNDS alternating rounds; each: median over $PLACES placements of the best of $REPS steps; old = $rev"
python3 - "$ROWS" <<'PY'
import statistics, sys
times = {}  # (threads/params, rule) -> {"old": [...], "new": [...]}
for line in open(sys.argv[1]):
    side, key, rule, ms = line.split()
    times.setdefault((key, rule), {"old": [], "new": []})[side].append(float(ms))
print("%-16s %-18s %10s %10s %8s" % ("threads/params", "rule", "old ms", "new ms", "new/old"))
for (key, rule), t in times.items():
    o, n = statistics.median(t["old"]), statistics.median(t["new"])
    print("%-16s %-18s %10.4f %10.4f %8.3f" % (key, rule, o, n, n / o))
PY
