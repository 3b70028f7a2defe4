#!/usr/bin/env bash
# dist.sh - the numbers of BENCHMARKS.md ("Past one machine"): seconds per epoch with 1
# and 2 MPI ranks (one thread each), and peak resident memory of training
# on stream files of 1M and 5M rows (plus an in-memory control).
# Usage: bench/dist.sh BUILD_DIR [SCRATCH_DIR]   (needs ~2.5 GB in SCRATCH_DIR)
# Every run prints its command; the machine's load average is printed with
# each table, since rank timings on a shared 2-core machine depend on it.
set -euo pipefail
build=${1:?usage: bench/dist.sh BUILD_DIR [SCRATCH_DIR]}
scratch=${2:-/tmp/descent-dist-bench}
D=$build/descent
mkdir -p "$scratch" && cd "$scratch"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
reps=${DS_REPS:-3}

# best_epoch NP ARGS...: the smallest seconds_per_epoch of $reps runs.
best_epoch() {
    local np=$1 best="" s
    shift
    for _ in $(seq "$reps"); do
        s=$(mpirun --oversubscribe --bind-to none -np "$np" "$D" train "$@" --threads 1 --json \
            2>/dev/null | tail -n 1 | sed 's/.*"seconds_per_epoch": \([^,]*\),.*/\1/')
        best=$(python3 -c "import sys; v=[float(x) for x in sys.argv[1:] if x]; print(min(v))" \
            "$s" $best)
    done
    echo "$best"
}

echo "## load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1000000 5000000; do
    [ -e "lin$n.ds" ] || /usr/bin/time -f "gen $n rows: %e s, peak RSS %M KiB" \
        "$D" gen linear --rows "$n" --features 100 --seed 1 -o "lin$n.ds"
done

echo "| case | 1 rank s/epoch | 2 ranks s/epoch | speed-up |"
echo "| --- | --- | --- | --- |"
cases=("fashion-mnist mlp:784-256-128-10 batch 64|--data fashion-mnist --batch 64"
       "fashion-mnist mlp:784-256-128-10 batch 1024|--data fashion-mnist --batch 1024"
       "stream 1M x 100 linear, batch 1000|--data stream:lin1000000.ds --model mlp:100-1 --loss mse --batch 1000 --opt sgd:lr=0.05")
for c in "${cases[@]}"; do
    name=${c%%|*}
    read -r -a args <<<"${c#*|}"
    one=$(best_epoch 1 "${args[@]}" --epochs 1)
    two=$(best_epoch 2 "${args[@]}" --epochs 1)
    echo "| $name | $one | $two | $(python3 -c "print('%.2f' % ($one / $two))") |"
done
echo "## load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "| data | peak RSS (KiB) | s/epoch |"
echo "| --- | --- | --- |"
train=(train --model mlp:100-1 --loss mse --batch 1000 --epochs 1 --opt sgd:lr=0.05 --threads 1 --json)
for spec in stream:lin1000000.ds stream:lin5000000.ds linear:n=1000000,features=100,seed=1; do
    out=$(/usr/bin/time -f "%M" "$D" "${train[@]}" --data "$spec" 2>&1 >json.out)
    s=$(sed 's/.*"seconds_per_epoch": \([^,]*\),.*/\1/' json.out)
    echo "| $spec | $(tail -n 1 <<<"$out") | $s |"
done
