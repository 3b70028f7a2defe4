# train.sh - `descent train` end to end: steps per epoch for every batch
# mode, the --log and --json formats, the lectures' neuron, save -> eval with
# full precision (also with --ema), and --resume / --checkpoint-every giving
# exactly the uninterrupted run's model.
source "$(dirname "$0")/lib/common.bash"

# json_get FILE KEY: a field of a JSON object (python3's json, no torch).
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else repr(v))' "$1" "$2"; }

# --- steps per epoch: batch 1 (SGD), 2, 3 (last partial batch kept), full
for spec in "1 30" "2 15" "3 12" "full 3"; do
    set -- $spec
    quiet "$DESCENT" train --data linear:n=10 --model mlp:3-1 --loss mse --opt sgd:lr=0.01 \
        --batch "$1" --epochs 3 --json >steps.json
    [ "$(json_get steps.json steps)" = "$2" ] || fail "batch $1: $(json_get steps.json steps) steps, expected $2"
    [ "$(json_get steps.json epochs)" = 3 ] || fail "batch $1: epochs != 3"
done

# --- the lectures' sigmoid neuron: 1000 full-batch epochs, loss to ~0
quiet "$DESCENT" train --model neuron --data toy --init const:-2 --batch full --loss sse \
    --opt sgd:lr=1 --epochs 1000 --json >neuron.json
[ "$(json_get neuron.json steps)" = 1000 ] || fail "neuron: steps != 1000"
python3 -c 'import json,sys; l=json.load(open("neuron.json"))["train_loss"]; sys.exit(0 if l < 1e-4 else 1)' ||
    fail "neuron: final loss $(json_get neuron.json train_loss) not below 1e-4"

# --- --log: header, one row per epoch from 1, empty validation columns
#     without a split and filled ones with --val; --json has its keys
quiet "$DESCENT" train --data blobs:n=200,test=50 --model mlp:2-8-3 --epochs 4 --batch 16 \
    --log plain.csv --json >plain.json
[ "$(head -1 plain.csv)" = "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds" ] || fail "log header: $(head -1 plain.csv)"
[ "$(wc -l <plain.csv)" = 5 ] || fail "log rows: $(wc -l <plain.csv)"
awk -F, 'NR>1 && ($1 != NR-1 || $2 != 13*(NR-1) || $5 != "" || $6 != "" || NF != 7) {exit 1}' plain.csv ||
    fail "log rows malformed: $(cat plain.csv)"
for key in epochs steps train_loss test_loss test_accuracy seconds; do
    [ "$(json_get plain.json $key)" != null ] || fail "--json lacks $key"
done
"$DESCENT" train --data blobs:n=200,test=50 --model mlp:2-8-3 --epochs 2 --val 0.25 \
    --log val.csv >/dev/null
awk -F, 'NR>1 && ($5 == "" || $6 < 0 || $6 > 1) {exit 1}' val.csv || fail "val columns empty: $(cat val.csv)"

# --- on a terminal (script(1) gives one) a live bar with examples/s and
#     time left; through a pipe only one plain line per epoch
script -qec "'$DESCENT' train --data blobs:n=200 --model mlp:2-8-3 --epochs 2 --batch 8" tty.txt >/dev/null
expect_in "$(cat tty.txt)" "ex/s"
expect_in "$(cat tty.txt)" "left "
"$DESCENT" train --data blobs:n=200 --model mlp:2-8-3 --epochs 2 --batch 8 >pipe.txt
[ "$(grep -c '^epoch [12]/2  step' pipe.txt)" = 2 ] || fail "plain lines: $(cat pipe.txt)"
! grep -q 'ex/s' pipe.txt || fail "progress bar drawn into a pipe"
expect_in "$(tail -1 pipe.txt)" "(2 epochs, "
# the summary counts in the singular for one epoch
expect_exit 0 "$DESCENT" train --data blobs:n=200 --model mlp:2-8-3 --epochs 1 --batch 8
expect_in "$out" "(1 epoch, 25 steps, "
# and for one step (one batch holds the whole set)
expect_exit 0 "$DESCENT" train --data blobs:n=200 --model mlp:2-8-3 --epochs 1 --batch 1000
expect_in "$out" "(1 epoch, 1 step, "

# --- save -> eval: the same test numbers to the last digit, with and
#     without the EMA of the weights (eval must see the saved average)
for ema in "" "--ema 0.9"; do
    quiet "$DESCENT" train --data blobs:n=300,test=100 --model mlp:2-16-3 --epochs 3 --threads 1 \
        $ema --json --save m.ckpt >t.json
    "$DESCENT" eval --model-file m.ckpt --threads 1 --json >e.json
    for key in test_loss test_accuracy; do
        [ "$(json_get t.json $key)" = "$(json_get e.json $key)" ] ||
            fail "eval $key $(json_get e.json $key) != train's $(json_get t.json $key) ($ema)"
    done
done

# --- resume: 2 epochs + resume to 5 == 5 straight (Adam, a per-step
#     schedule, EMA), also from a --checkpoint file (mid-epoch cut points are
#     covered in-process by tests/unit/test_train.c)
common=(--data blobs:n=300,test=100 --model mlp:2-16-3 --threads 1 --batch 32 --seed 5
        --opt adam:lr=0.01 --schedule warmup:steps=7+cosine:period=40 --schedule-unit step --ema 0.8)
"$DESCENT" train "${common[@]}" --epochs 5 --save full.ckpt >/dev/null
"$DESCENT" train "${common[@]}" --epochs 2 --save half.ckpt >/dev/null
"$DESCENT" train --resume half.ckpt --epochs 5 --save resumed.ckpt --threads 1 >/dev/null
"$DESCENT" eval --model-file full.ckpt --json >full.json
"$DESCENT" eval --model-file resumed.ckpt --json >resumed.json
cmp -s full.json resumed.json || fail "resumed run differs: $(cat full.json) vs $(cat resumed.json)"
"$DESCENT" train "${common[@]}" --epochs 3 --checkpoint ck.ckpt --checkpoint-every 4 >/dev/null
[ -f ck.ckpt ] || fail "--checkpoint file missing"
"$DESCENT" train "${common[@]}" --resume ck.ckpt --epochs 5 --save resumed2.ckpt >/dev/null
"$DESCENT" eval --model-file resumed2.ckpt --json >resumed2.json
cmp -s full.json resumed2.json || fail "resume from a --checkpoint file differs"
# resuming with another optimizer is refused and writes nothing
expect_exit 2 "$DESCENT" train "${common[@]}" --resume half.ckpt --opt sgd:lr=0.1 --save other.ckpt
expect_in "$err" "half.ckpt"
[ ! -e other.ckpt ] || fail "a refused resume wrote --save"
echo "ok"
