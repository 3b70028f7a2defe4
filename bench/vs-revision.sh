#!/usr/bin/env bash
# vs-revision.sh - every update rule's step time against another revision
# of descent, in one run: the two builds alternate ROUNDS times (A B A B
# ...), each keeping its best time per rule, so a busy moment on this shared
# machine hurts both alike. Prints one row per rule with both times and the
# ratio new/old, at 1 thread and at all threads. Use it for any change to
# src/optim: a ratio above 1 is a rule made slower.
#
#   bench/vs-revision.sh REV              build REV (git archive, in a temp
#                                         folder) and this tree, then compare
#   ROUNDS=9 PARAMS=10000000 bench/vs-revision.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/vs-revision.sh REV}
ROUNDS=${ROUNDS:-7}
PARAMS=${PARAMS:-10000000}
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

# run SIDE THREADS: one bench, its rows appended as "side threads rule ms".
run() {
    "$work/$1-build/descent" bench optim --params "$PARAMS" --threads "$2" --reps 5 |
        awk -v s="$1" -v t="$2" 'NR > 2 && NF >= 5 { print s, t, $1, $2 }' >>"$work/rows"
}
for threads in 1 "$(nproc)"; do
    for ((r = 0; r < ROUNDS; r++)); do run old "$threads"; run new "$threads"; done
done
echo "params $PARAMS, best of $ROUNDS alternating rounds (5 reps each); old = $rev"
awk '{ k = $2 " " $3; v = $4 + 0
       if ($1 == "old" && (!(k in o) || v < o[k])) o[k] = v
       if ($1 == "new" && (!(k in n) || v < n[k])) n[k] = v
       if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
     END { printf "%-8s %-18s %10s %10s %8s\n", "threads", "rule", "old ms", "new ms", "new/old"
           for (i = 1; i <= m; i++) { split(order[i], a, " ")
               printf "%-8s %-18s %10.3f %10.3f %8.3f\n", a[1], a[2], o[order[i]], n[order[i]],
                      n[order[i]] / o[order[i]] } }' "$work/rows"
