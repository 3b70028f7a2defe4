# resume_kill.sh - a real `descent train` process killed with SIGKILL and
# resumed from its last checkpoint ends bit for bit where the uninterrupted
# run ends: every record of the final file (parameters, every optimizer
# buffer and step counter, schedule, position) equal, only the timings may
# differ. Kills land mid-epoch (after step checkpoints, K = 7 not dividing
# the 125 batches of an epoch), again in the resumed processes, and during
# checkpoint writes (the previous file must still load: temp file + rename).
# The kill moments come from watching the checkpoint file, not from sleeps,
# and the checks hold wherever a kill lands.
source "$(dirname "$0")/lib/common.bash"

# ckpt.py reads descent's checkpoints on its own and kills a run once its
# checkpoint reaches a point.
ck() { python3 "$DS_LIB/ckpt.py" "$@"; }

# 2000 rows, batch 16: 125 steps per epoch, 500 in all; adam with a per-step
# warm-up + cosine schedule, so a lost step counter, optimizer buffer or
# schedule position changes the result.
run=(--data blobs:n=2000,test=100 --model mlp:2-64-64-3 --threads 1 --batch 16 --seed 3
     --opt adam:lr=0.01 --schedule warmup:steps=7+cosine:period=400 --schedule-unit step)
"$DESCENT" train "${run[@]}" --epochs 4 --save ref.ckpt >/dev/null
ck digest ref.ckpt >ref.txt
grep -q '^optim.g0.exp_avg_sq ' ref.txt || fail "reference lacks adam's state: $(cat ref.txt)"

# same_as_ref FILE WHAT: FILE's records equal the reference's, bit for bit.
same_as_ref() {
    ck digest "$1" >got.txt
    diff ref.txt got.txt >diff.txt || fail "$2: differs from the uninterrupted run: $(cat diff.txt)"
}

# --- a chain of kills: each process (the first and every resumed one) is
#     killed once its checkpoint reaches the next target; the last resume
#     runs to the end. Targets: early mid-epoch, just before an epoch end,
#     just after one, in the last epoch.
rm -f ck.ckpt
ckargs=(--checkpoint ck.ckpt --checkpoint-every 7 --save final.ckpt)
cmd=("$DESCENT" train "${run[@]}" --epochs 4 "${ckargs[@]}")
resume=("$DESCENT" train --resume ck.ckpt --threads 1 "${ckargs[@]}")
mid=0
for target in 21 119 133 259 441; do
    read -r rc epoch batch step < <(ck kill-at-step ck.ckpt "$target" "${cmd[@]}")
    [ "$rc" = -9 ] || fail "the run was not killed at step $target (exit $rc): $(cat run.err)"
    [ "$step" -ge "$target" ] || fail "checkpoint at step $step after the kill at $target"
    [ "$step" = $((epoch * 125 + batch)) ] || fail "checkpoint position $epoch/$batch/$step"
    [ "$batch" = 0 ] || mid=$((mid + 1))
    [ ! -e final.ckpt ] || fail "a killed run wrote --save"
    cmd=("${resume[@]}")
done
[ "$mid" -ge 3 ] || fail "only $mid of 5 kills left a mid-epoch checkpoint"
"${resume[@]}" >/dev/null || fail "the last resume failed"
same_as_ref final.ckpt "killed at 5 points and resumed"

# --- the same run resumed straight from one mid-epoch checkpoint of each
#     epoch (no kill; the file as the periodic save left it) for a plain
#     --resume without --checkpoint
for target in 63 196 322; do
    rm -f ck.ckpt cut.ckpt
    read -r rc epoch batch step < <(ck kill-at-step ck.ckpt "$target" \
        "$DESCENT" train "${run[@]}" --epochs 4 --checkpoint ck.ckpt --checkpoint-every 7)
    [ "$rc" = -9 ] || fail "the run was not killed at step $target (exit $rc): $(cat run.err)"
    "$DESCENT" train --resume ck.ckpt --threads 1 --save cut.ckpt >/dev/null ||
        fail "resume from step $step (epoch $epoch, batch $batch) failed"
    same_as_ref cut.ckpt "resumed from step $step (epoch $epoch, batch $batch)"
done

# --- kills during checkpoint writes: a checkpoint every step, killed as
#     soon as a temporary file exists. Whatever the kill interrupted, the
#     checkpoint file must load and resume to the reference; at least one
#     kill must really have landed inside a write (its temp file left).
in_write=0
for i in 1 2 3 4 5 6 7 8; do
    rm -f ck.ckpt ck.ckpt.tmp.* final.ckpt
    read -r rc epoch batch step < <(ck kill-in-write ck.ckpt \
        "$DESCENT" train "${run[@]}" --epochs 4 --checkpoint ck.ckpt --checkpoint-every 1)
    [ "$rc" = -9 ] || fail "write kill $i: the run was not killed (exit $rc): $(cat run.err)"
    [ "$epoch" != none ] || fail "write kill $i: no checkpoint left"
    ! ls ck.ckpt.tmp.* >/dev/null 2>&1 || in_write=$((in_write + 1))
    # (resumed with a checkpoint an epoch instead of every step: the interval
    # never changes the numbers)
    "$DESCENT" train --resume ck.ckpt --threads 1 --checkpoint-every 125 --save final.ckpt \
        >/dev/null 2>resume.err ||
        fail "write kill $i: the checkpoint of step $step does not resume: $(cat resume.err)"
    same_as_ref final.ckpt "killed during a write, resumed from step $step"
done
[ "$in_write" -ge 1 ] || fail "no kill landed inside a checkpoint write"
echo "ok ($mid mid-epoch chain kills, $in_write of 8 kills inside a write)"
