# early_stop.sh - `descent train --early-stop PATIENCE` (Keras's
# EarlyStopping with restore_best_weights): the run ends PATIENCE epochs
# after the epoch of the lowest validation loss, --save and the test numbers
# hold that epoch's weights, and a run resumed from a checkpoint before the
# best epoch, or inside the stop window, ends exactly as the whole run does.
source "$(dirname "$0")/lib/common.bash"
ck() { python3 "$DS_LIB/ckpt.py" "$@"; }

run=(--data blobs:n=600,test=200,spread=3 --model mlp:auto-64-auto --opt adam:lr=0.05
    --val 0.2 --batch 64 --seed 5 --threads 1 --early-stop 3)
expect_exit 0 "$DESCENT" train "${run[@]}" --epochs 60 --save whole.ckpt --log whole.csv --json
whole=$out
read -r stopped best epochs < <(python3 - "$whole" whole.csv <<'PY'
import csv, json, sys
j = json.loads(sys.argv[1])
rows = list(csv.DictReader(open(sys.argv[2])))
val = [float(r["val_loss"]) for r in rows]
b = val.index(min(val)) + 1
# the best epoch is the first with the lowest loss; none after it is lower,
# and the run ended exactly 3 epochs later
assert j["stopped_early"] and j["best_epoch"] == b and j["epochs"] == b + 3 == len(rows), (j, val)
assert all(v >= val[b - 1] for v in val[b:]), val
print("1", b, j["epochs"])
PY
)
[ "$stopped" = 1 ] && [ "$epochs" -lt 60 ] || fail "no early stop: $whole"
[ "$best" -ge 3 ] || fail "best epoch $best too early for the resume cases: $whole"

# the saved weights are the best epoch's: a run of exactly $best epochs ends with them
expect_exit 0 "$DESCENT" train "${run[@]}" --epochs "$best" --save upto.ckpt
[ "$(ck digest whole.ckpt | grep '^model.params ')" = "$(ck digest upto.ckpt | grep '^model.params ')" ] ||
    fail "--save does not hold epoch $best's weights"
# eval of the saved model gives the test numbers train reported
expect_exit 0 "$DESCENT" eval --model-file whole.ckpt --json
python3 -c 'import json, sys; a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2]); assert a["test_loss"] == b["test_loss"], (a, b)' \
    "$whole" "$out" || fail "eval $out, train $whole"

# resumed before the best epoch and inside the stop window: the same end
for k in $((best - 1)) $((best + 1)) $((epochs - 1)); do
    rm -f part.ckpt
    expect_exit 0 "$DESCENT" train "${run[@]}" --epochs "$k" --checkpoint part.ckpt
    expect_exit 0 "$DESCENT" train --resume part.ckpt --epochs 60 --save resumed.ckpt --json
    [ "$(sed 's/"seconds.*//' <<<"$out")" = "$(sed 's/"seconds.*//' <<<"$whole")" ] ||
        fail "resumed after epoch $k: $out; whole: $whole"
    [ "$(ck digest resumed.ckpt)" = "$(ck digest whole.ckpt)" ] ||
        fail "resumed after epoch $k: the saved state differs from the whole run's"
done

# a stopped run stays stopped when resumed with more epochs
expect_exit 0 "$DESCENT" train --resume whole.ckpt --epochs 80 --json
python3 -c 'import json, sys; j = json.loads(sys.argv[1]); assert j["stopped_early"] and j["epochs"] == int(sys.argv[2]), j' \
    "$out" "$epochs" || fail "resumed stopped run: $out"

# refused: no validation split, a negative patience, another patience on resume
expect_exit 2 "$DESCENT" train --data blobs --model mlp:2-3 --early-stop 3 --save no.ckpt
expect_in "$err" "--early-stop watches the validation loss: give --val FRACTION"
expect_exit 2 "$DESCENT" train "${run[@]}" --early-stop -1 --save no.ckpt
expect_in "$err" "--early-stop must be >= 0"
expect_exit 2 "$DESCENT" train --resume part.ckpt --early-stop 5 --save no.ckpt
expect_in "$err" "--early-stop 5 differs from part.ckpt, which recorded 3"
[ ! -e no.ckpt ] || fail "a refused run wrote --save"
