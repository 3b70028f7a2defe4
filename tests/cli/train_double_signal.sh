# train_double_signal.sh - two signals in a row (an impatient Ctrl-C
# Ctrl-C, or SIGTERM from a scheduler then a Ctrl-C) while `descent train`
# saves a checkpoint at every step: the second signal, sent again and again
# until the process has exited, must not cut the final save short. Each run ends with exit 128 + one of the signals (two sent at once
# may be handled in either order, on different threads), the "state saved"
# message, no temporary file, and a checkpoint that resumes. The model is
# large enough that every save takes a while, so the signals usually land
# inside one; the checks hold wherever they land (no timed assertion).
# Before the fix the second signal killed the process (SA_RESETHAND).
source "$(dirname "$0")/lib/common.bash"

for sigs in "INT INT" "TERM TERM" "TERM INT" "INT TERM" "INT INT"; do
    rm -f ck.ckpt
    timeout --foreground -s KILL 120 "$DESCENT" train --data blobs:n=600 \
        --model mlp:2-512-512-3 --batch 4 --epochs 1000000 --checkpoint ck.ckpt \
        --checkpoint-every 1 --threads 1 >out.txt 2>err.txt &
    pid=$!
    while [ ! -s ck.ckpt ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    kill -s "${sigs%% *}" "$pid"
    while kill -s "${sigs##* }" "$pid" 2>/dev/null; do sleep 0.01; done
    set +e; wait "$pid"; rc=$?; set -e
    case " $sigs " in
    *" $(kill -l $((rc - 128)) 2>/dev/null) "*) ;;
    *) fail "SIG$sigs: exit $rc, expected 128 + one of them; stderr: $(cat err.txt)" ;;
    esac
    expect_in "$(cat err.txt)" "state saved to ck.ckpt"
    left=$(ls -A | grep '\.tmp\.' || true)
    [ -z "$left" ] || fail "SIG$sigs left a temporary file: $left"
    expect_exit 0 "$DESCENT" eval --model-file ck.ckpt
done
echo "ok"
