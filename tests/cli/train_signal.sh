# train_signal.sh - SIGINT and SIGTERM stop `descent train` cleanly: the
# state reached is saved to --checkpoint, the exit status is 128 + the
# signal, and --resume from that file continues where it stopped. The run
# is endless on purpose (10^6 epochs) and wrapped in `timeout -s KILL`, so
# a broken handler fails the test (status 137) instead of hanging it; the
# signal is sent once the first checkpoint exists (no timed assertions).
# timeout relays the signal to descent; --foreground makes it relay it only
# once (without it timeout also signals its whole process group, so descent
# got the signal twice and a second one could cut the clean exit short).
source "$(dirname "$0")/lib/common.bash"
T="$DS_TEST_DATA/train"

for sig in INT TERM; do
    rm -f ck.ckpt
    timeout --foreground -s KILL 120 "$DESCENT" train --data "csv:$T/blobs.csv" --model mlp:2-8-3 \
        --batch 4 --epochs 1000000 --checkpoint ck.ckpt --threads 1 >out.txt 2>err.txt &
    pid=$!
    while [ ! -s ck.ckpt ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    kill -s "$sig" "$pid" || fail "SIG$sig: descent ended before the signal: $(cat err.txt)"
    set +e; wait "$pid"; rc=$?; set -e
    want=$((128 + $(kill -l "$sig")))
    [ "$rc" = "$want" ] || fail "SIG$sig: exit $rc, expected $want; $(cat err.txt)"
    expect_in "$(cat err.txt)" "--resume ck.ckpt"
    # 15 steps per epoch (60 rows, batch 4): resuming for two more epochs
    # than the one under way must end at exactly (epoch + 2) * 15 steps
    step=$(sed -n 's/.*interrupted at step \([0-9]*\);.*/\1/p' err.txt)
    [ -n "$step" ] || fail "no step in: $(cat err.txt)"
    epochs=$((step / 15 + 2))
    quiet "$DESCENT" train --resume ck.ckpt --epochs "$epochs" --threads 1 --json >resumed.json
    expect_in "$(cat resumed.json)" "\"steps\": $((epochs * 15)),"
done
echo "ok"
