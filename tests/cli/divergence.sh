# divergence.sh - a learning rate that blows up is caught, not saved.
# CS7015's eta = 10 on the sigmoid neuron does not do it in descent: the
# sigmoid bounds the loss and the gradient, and the neuron converges (loss
# ~1e-16, checked first). Least squares has no such bound: a linear model
# with mse at eta = 10 on linear:n=50 multiplies its error ~30x per full
# batch step (the float weights would overflow at step 27); at step 4 the
# loss passes 1e6 times the first step's, the explosion rule
# (doc/training.md). That run must stop with exit 3 naming step, epoch, lr
# and the likely cause, keep the last good checkpoint
# and write no --save; with --on-divergence rollback it must come back from
# the last good state at half the rate each time, log every rollback, and
# finish with a small finite loss; a hopeless rate stops after the limit;
# with clip_norm= it stays finite.
source "$(dirname "$0")/lib/common.bash"

json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else repr(v))' "$1" "$2"; }

expect_exit 0 "$DESCENT" train --model neuron --data toy --init const:-2 --batch full --loss sse \
    --opt sgd:lr=10 --epochs 1000 --json
echo "$out" >neuron.json
python3 -c 'import json,sys; sys.exit(0 if json.load(open("neuron.json"))["train_loss"] < 1e-6 else 1)' ||
    fail "the neuron at eta = 10 no longer converges: $out (update this test's premise)"

lin=(--data linear:n=50 --model mlp:3-1 --loss mse --batch full --threads 1)

# --- stop: exit 3, the message names step, epoch, lr and the likely cause;
#     the checkpoint is the last good epoch end's (step 3: it equals a run of
#     3 epochs) and still loads; no --save
expect_exit 3 "$DESCENT" train "${lin[@]}" --opt sgd:lr=10 --epochs 100 --checkpoint ck.ckpt \
    --save never.ckpt
expect_in "$err" "the loss exploded at step 4 (epoch 4, batch 1, lr 10)"
expect_in "$err" "above 1e+06 times the run's first loss"
expect_in "$err" "the learning rate is likely too large"
[ ! -e never.ckpt ] || fail "a diverged run wrote --save"
ls ck.ckpt.tmp.* >/dev/null 2>&1 && fail "a temporary checkpoint was left behind"
"$DESCENT" train "${lin[@]}" --opt sgd:lr=10 --epochs 3 --save ref3.ckpt >/dev/null
"$DESCENT" eval --model-file ck.ckpt --threads 1 --json >ck.json
"$DESCENT" eval --model-file ref3.ckpt --threads 1 --json >ref3.json
cmp -s ck.json ref3.json || fail "the kept checkpoint is not step 3's: $(cat ck.json) vs $(cat ref3.json)"
expect_exit 0 "$DESCENT" train --resume ck.ckpt --epochs 3 --threads 1 --json
expect_in "$out" '"steps": 3,'
# a run that diverges before its first checkpoint leaves an older file at
# that path byte for byte as it was (10 steps an epoch, overflow at step 2)
cp ref3.ckpt old.ckpt
cp old.ckpt old.orig
expect_exit 3 "$DESCENT" train "${lin[@]}" --batch 5 --opt sgd:lr=1e30 --epochs 3 \
    --checkpoint old.ckpt --checkpoint-every 4
expect_in "$err" "epoch 1, batch 2"
cmp -s old.ckpt old.orig || fail "a diverged run changed the previous checkpoint"

# --- rollback: 10 -> 5 -> 2.5 -> 1.25 diverge again (each rollback to the
#     state after step 1, the last epoch whose loss did not rise), 0.625 is
#     stable: four rollbacks, each logged, then convergence
expect_exit 0 "$DESCENT" train "${lin[@]}" --opt sgd:lr=10 --epochs 100 --on-divergence rollback \
    --log roll.csv --json --save rolled.ckpt
echo "$out" >roll.json
[ "$(grep -c 'rolled back to step 1, lr now' <<<"$err")" = 4 ] || fail "expected 4 rollback lines: $err"
for lr in 5 2.5 1.25 0.625; do expect_in "$err" "lr now $lr ("; done
python3 -c 'import json,sys; l=json.load(open("roll.json"))["train_loss"]; sys.exit(0 if l < 0.1 else 1)' ||
    fail "rollback did not recover: $out"
[ "$(tail -1 roll.csv | cut -d, -f1-3)" = "100,100,0.625" ] || fail "last log row: $(tail -1 roll.csv)"
[ -s rolled.ckpt ] || fail "the recovered run did not save"

# --- a hopeless rate: exactly 5 rollbacks (the limit), then exit 3
expect_exit 3 "$DESCENT" train "${lin[@]}" --opt sgd:lr=1e30 --epochs 100 --on-divergence rollback \
    --save hopeless.ckpt
[ "$(grep -c 'rolled back to step' <<<"$err")" = 5 ] || fail "expected 5 rollbacks: $err"
expect_in "$err" "lr 3.125e+28): training stopped"
[ ! -e hopeless.ckpt ] || fail "a hopeless run wrote --save"

# --- the issue's explosion: sgd at lr 1000 with momentum 0.9 stays finite
#     (train_loss 3.1e18 after an epoch of Fashion-MNIST) and was taken for
#     a result with exit 0; the same on blobs and on 3000 Fashion-MNIST rows
expect_exit 3 "$DESCENT" train --data blobs:n=2000,features=8,classes=3 --model mlp:8-64-3 \
    --opt sgd:lr=1000,momentum=0.9 --epochs 1 --threads 1 --save boom.ckpt
expect_in "$err" "the loss exploded at step"
expect_in "$err" "the learning rate is likely too large"
[ ! -e boom.ckpt ] || fail "an exploded run wrote --save"
expect_exit 3 "$DESCENT" train --data fashion-mnist:limit=3000 --model mlp:784-256-10 \
    --opt sgd:lr=1000,momentum=0.9 --epochs 1
expect_in "$err" "the loss exploded at step"

# --- a healthy run with transient spikes is not stopped: sgd at lr 1 with
#     momentum 0.9 on blobs has an epoch whose loss is 1000x the first
#     epoch's, then converges far below it
expect_exit 0 "$DESCENT" train --data blobs:n=2000,features=8,classes=3 --model mlp:8-64-3 \
    --opt sgd:lr=1,momentum=0.9 --epochs 8 --threads 1 --log spikes.csv
python3 - spikes.csv <<'EOF' || fail "the spiky run no longer spikes and recovers: $(cat spikes.csv)"
import csv, sys
loss = [float(r["train_loss"]) for r in csv.DictReader(open(sys.argv[1]))]
assert max(loss) > 1000 * loss[0] and loss[-1] < 1e-2 * loss[0], loss
EOF

# --- non-finite from the first step: the cause named is the data or the
#     initial weights, not the learning rate
expect_exit 3 "$DESCENT" train --data blobs:n=200,features=8,classes=3 --model mlp:8-64-3 \
    --init const:1e38 --epochs 1 --threads 1
expect_in "$err" "before any update: the initial weights (--init) or the input values"

# --- clip_norm=1 caps each step: the same eta = 10 run stays finite
expect_exit 0 "$DESCENT" train "${lin[@]}" --opt sgd:lr=10,clip_norm=1 --epochs 100 --json
echo "$out" >clip.json
[ "$(json_get clip.json train_loss)" != null ] || fail "clipped run not finite: $out"
echo "ok"
