#!/usr/bin/env bash
# compare_mpi.sh - `descent compare` under mpirun (doc/compare.md): rank 0
# hands the runs out one at a time and collects them, so `mpirun -np 2` and
# `-np 3` (two workers taking runs as they free up) give the JSON and the
# summary of one process byte for byte (every run is one process's,
# seeded, with its own thread count); a study resumed under mpirun from
# the state one process left gives the same JSON again; a run failing on a
# worker ends the job with a failure and no JSON. Timing-labelled like
# mpi.sh (tests/CMakeLists.txt).
source "$(dirname "$0")/lib/common.bash"
source "$DS_LIB/mpi.bash"

study=(compare --budget tiny --problems quadratic_deep,rosenbrock,beale,custom --model mlp:4-3
       --data blobs:n=600,features=4,classes=3,spread=2,test=200 --opt sgd --opt adam
       --opt rmsprop)
quiet "$DESCENT" "${study[@]}" --json one.json >one.txt
for np in 2 3; do
    quiet mpi "$np" "${study[@]}" --json "np$np.json" >"np$np.txt"
    cmp one.json "np$np.json" || fail "mpirun -np $np: the JSON differs from one process's"
    cmp one.txt "np$np.txt" || fail "mpirun -np $np: the summary differs from one process's"
done

# a study one process recorded in part (every other run's file removed)
# is finished under mpirun from that folder
quiet "$DESCENT" "${study[@]}" --resume state >state.txt
ls state/*.run | awk 'NR % 2' | xargs rm
quiet mpi 3 "${study[@]}" --resume state --json resumed.json >resumed.txt
cmp one.json resumed.json || fail "resumed under mpirun: the JSON differs"

# a run that fails on a worker ends the job: non-zero, no JSON
printf 'a,b,label\n1,2,0\n' >tiny.csv
set +e
mpi 2 compare --budget tiny --problems custom --model mlp:4-3 --data csv:tiny.csv --opt sgd \
    --json failed.json >failed.out 2>failed.err
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a failing run under mpirun exited 0"
[ ! -e failed.json ] || fail "a failed study wrote its JSON"
expect_in "$(cat failed.err)" "descent compare: "
echo "compare_mpi: ok"
