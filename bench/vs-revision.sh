#!/usr/bin/env bash
# vs-revision.sh - every update rule's step time against another revision
# of descent, in one run: the two builds alternate ROUNDS times (A B A B
# ...) at each size of SIZES and each thread count of THREADS, so a busy
# moment on this shared machine hurts both alike. Each process reports its
# best of 5 repetitions; the table gives, per rule, the median over the
# rounds of those bests for both builds and their ratio new/old. The median,
# not the best: at sizes past the last-level cache a process's time depends
# on where its pages land (the same binary swings by 1.5x from one process
# to the next), and the best of a few rounds measures that luck. Use it for
# any change to src/optim: a ratio clearly above 1 is a rule made slower.
#
#   bench/vs-revision.sh REV              build REV (git archive, in a temp
#                                         folder) and this tree, then compare
#   ROUNDS=15 SIZES="1000000 10000000" THREADS="1 2" bench/vs-revision.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/vs-revision.sh REV}
ROUNDS=${ROUNDS:-7}
SIZES=${SIZES:-1000000 10000000}
THREADS=${THREADS:-1 $(nproc)}
work=$(mktemp -d "${TMPDIR:-/tmp}/descent-vsrev.XXXXXX")
trap 'rm -rf "$work"' EXIT

build() { # build SRC DIR: the program, Release, quietly
    cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DDESCENT_TESTS=OFF >/dev/null
    cmake --build "$2" -j "$(nproc)" --target descent_cli >/dev/null
}
mkdir -p "$work/old"
git archive "$rev" | tar -x -C "$work/old"
build "$work/old" "$work/old-build"
build . "$work/new-build"

# run SIDE THREADS PARAMS: one bench, its rows appended as "side threads/params rule ms".
run() {
    "$work/$1-build/descent" bench optim --params "$3" --threads "$2" --reps 5 |
        awk -v s="$1" -v k="$2/$3" 'NR > 2 && NF >= 5 { print s, k, $1, $2 }' >>"$work/rows"
}
for threads in $THREADS; do
    for params in $SIZES; do
        for ((r = 0; r < ROUNDS; r++)); do
            run old "$threads" "$params"
            run new "$threads" "$params"
        done
    done
done
echo "median over $ROUNDS alternating rounds of each process's best of 5; old = $rev"
python3 - "$work/rows" <<'PY'
import statistics, sys
times = {}  # (threads/params, rule) -> {"old": [...], "new": [...]}
for line in open(sys.argv[1]):
    side, key, rule, ms = line.split()
    times.setdefault((key, rule), {"old": [], "new": []})[side].append(float(ms))
print("%-14s %-18s %10s %10s %8s" % ("threads/params", "rule", "old ms", "new ms", "new/old"))
for (key, rule), t in times.items():
    o, n = statistics.median(t["old"]), statistics.median(t["new"])
    print("%-14s %-18s %10.3f %10.3f %8.3f" % (key, rule, o, n, n / o))
PY
