# mpi_stop.sh - how a data-parallel job stops (doc/distributed.md): bad
# input stops every rank with one exit status and nothing written; a
# divergence stops every rank at the same step with exit 3; a killed rank
# ends the job instead of hanging. Timing-labelled (tests/CMakeLists.txt):
# where the kill lands and how the ranks learn of it depend on the
# scheduler.
source "$(dirname "$0")/lib/common.bash"
source "$DS_LIB/mpi.bash"

blobs=(train --data blobs:n=1000,features=4,classes=3,seed=3 --model mlp:4-16-3 --l2 0.01
       --epochs 3 --batch 50 --opt adam:lr=0.01 --threads 1)

# -- bad input: every rank refuses, the job exits 2, nothing is written
expect_exit 2 mpi 2 train --data blobs --model mlp:4-3 --epochs 1 --save bad.ckpt
expect_in "$err" "4 inputs"
[ ! -e bad.ckpt ] || fail "bad input wrote bad.ckpt"

# -- divergence: every rank sees the same summed loss and stops at the same
# step with exit 3 (no rank left waiting); with rollback all recover alike
expect_exit 3 mpi 2 "${blobs[@]}" --epochs 1 --opt sgd:lr=1e9 --save div.ckpt
expect_in "$err" "the loss exploded at step 2"
[ ! -e div.ckpt ] || fail "a diverged run wrote div.ckpt"

# -- a killed rank stops the whole job (no hang): kill rank 1 mid-run
mpi 2 train --data blobs:n=200000,features=8,classes=3 --model mlp:8-64-3 --epochs 50 \
    --batch 32 --threads 1 >kill.out 2>kill.err &
job=$!
victim=""
for _ in $(seq 200); do # find rank 1 by its environment (Open MPI sets it)
    for p in $(pgrep -f "$DESCENT train --data blobs:n=200000" || true); do
        grep -qx 'OMPI_COMM_WORLD_RANK=1' <<<"$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null)" && victim=$p
    done
    [ -n "$victim" ] && break
    sleep 0.1
done
[ -n "$victim" ] || { kill "$job"; fail "rank 1 never started"; }
sleep 1 # into the training loop (generating 200000 rows takes a moment)
kill -9 "$victim"
# A hang guard, not a timing assertion: the job must end at all.
for _ in $(seq 600); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$job" 2>/dev/null; then kill -9 "$job"; fail "job still running 60 s after rank 1 died"; fi
set +e; wait "$job"; rc=$?; set -e
[ "$rc" -ne 0 ] || fail "job with a dead rank exited 0"
grep -qi "rank 1\|signal 9\|killed" kill.err || fail "no clear message on the dead rank: $(cat kill.err)"
echo "ok"
