# eval.sh - `descent eval`: reports a saved model's test loss and accuracy
# (JSON with full float precision), takes the data recorded in the
# checkpoint by default, and rejects missing, truncated, corrupt or
# mismatched files with exit status 2 and a message naming the file.
source "$(dirname "$0")/lib/common.bash"
T="$DS_TEST_DATA/train"

"$DESCENT" train --data "csv:$T/blobs.csv,$T/blobs.csv" --model mlp:2-8-3 --epochs 20 \
    --batch 8 --opt adam:lr=0.05 --save m.ckpt >/dev/null
"$DESCENT" eval --model-file m.ckpt --json >e.json
python3 - e.json <<'PY' || fail "eval JSON: $(cat e.json)"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["examples"] == 60, e
assert 0 <= e["test_loss"] < 1.0 and 0.8 <= e["test_accuracy"] <= 1, e  # blobs are separable
PY
"$DESCENT" eval --model-file m.ckpt --data "csv:$T/blobs.csv" >plain.txt
expect_in "$(cat plain.txt)" "accuracy"

expect_exit 2 "$DESCENT" eval
expect_in "$err" "--model-file"
expect_exit 2 "$DESCENT" eval --model-file missing.ckpt
expect_in "$err" "missing.ckpt"
head -c 100 m.ckpt >cut.ckpt
expect_exit 2 "$DESCENT" eval --model-file cut.ckpt
expect_in "$err" "cut.ckpt"
expect_in "$err" "truncated"
# flip one payload byte: the CRC catches it
size=$(stat -c %s m.ckpt)
cp m.ckpt flip.ckpt
byte=$(od -An -tu1 -j $((size - 5)) -N1 m.ckpt | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" | dd of=flip.ckpt bs=1 seek=$((size - 5)) conv=notrunc status=none
expect_exit 2 "$DESCENT" eval --model-file flip.ckpt
expect_in "$err" "CRC"
expect_exit 2 "$DESCENT" eval --model-file m.ckpt --data linear:n=20,features=5
expect_in "$err" "m.ckpt"
# a negative seed is rejected as by train and tune, not wrapped to 2^64 - 1
expect_exit 2 "$DESCENT" eval --model-file m.ckpt --data blobs --seed -1
expect_in "$err" "--seed must be >= 0 (got -1)"
[ -z "$out" ] || fail "eval --seed -1 printed: $out"
echo "ok"
