#!/usr/bin/env bash
# compare_resume.sh - `descent compare --resume DIR` after kill -9 at
# seeded random moments of a study (several times, mid-run included: the
# kills land while a model run's epoch-end checkpoint is in DIR) gives the
# JSON of the uninterrupted study byte for byte; a study resumed from a
# finished DIR runs nothing again; DIR holding another study is refused
# with exit 2. Timing-labelled (tests/CMakeLists.txt): where the kills land
# depends on the scheduler.
source "$(dirname "$0")/lib/common.bash"

study=(compare --budget small --seeds 2 --problems custom,rosenbrock --model mlp:20-128-128-3
       --data blobs:n=10000,features=20,classes=3,spread=3,test=500 --opt adam --opt sgd)
quiet "$DESCENT" "${study[@]}" --json whole.json >whole.txt

# Each round waits for the study to checkpoint a model run (so every round
# gets further, however fast the build), then kills it: odd rounds at once
# (mid-run: the run is killed while its checkpoint is in state/), even
# rounds a seeded random moment later (mid-run, or past it into the next
# runs). With every kill at a random moment, all six once missed the short
# checkpoint windows of a fast build under load.
RANDOM=17
midrun=0
for round in 1 2 3 4 5 6; do
    "$DESCENT" "${study[@]}" --resume state --json killed.json >run.out 2>run.err &
    pid=$!
    for ((i = 0; i < 600; i++)); do
        compgen -G "state/*.ckpt" >/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    delay=0
    ((round % 2)) || printf -v delay '0.%02d' $((RANDOM % 20)) # 0 to 0.19 s
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if compgen -G "state/*.ckpt" >/dev/null; then midrun=$((midrun + 1)); fi
done
[ "$midrun" -ge 1 ] || fail "no kill landed mid-run (no checkpoint in state/ after any kill)"
[ ! -e killed.json ] || fail "a killed study wrote its JSON"
quiet "$DESCENT" "${study[@]}" --resume state --json resumed.json >resumed.txt
cmp whole.json resumed.json || fail "resumed study differs from the uninterrupted one"
ls state/*.run >/dev/null || fail "no run recorded in state/"
! compgen -G "state/*.ckpt" >/dev/null || fail "checkpoints left after the study finished"

# finished: nothing runs again (the result files are not rewritten)
before=$(stat -c %Y.%s state/*.run | md5sum)
sleep 1
quiet "$DESCENT" "${study[@]}" --resume state --json again.json >again.txt
cmp whole.json again.json || fail "a finished study read back differs"
[ "$(stat -c %Y.%s state/*.run | md5sum)" = "$before" ] || fail "a finished run was run again"

# another study in the same folder: refused, nothing written
expect_exit 2 "$DESCENT" compare --budget tiny --problems rosenbrock --opt adam --resume state \
    --json other.json
expect_in "$err" "holds another study"
[ ! -e other.json ] || fail "a refused study wrote its JSON"
echo "compare_resume: ok ($midrun of 6 kills mid-run)"
