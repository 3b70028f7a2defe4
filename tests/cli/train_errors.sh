# train_errors.sh - bad input to `descent train` ends with exit status 2 and
# a message naming the file or option and the problem, and writes nothing:
# no --log/--save/--checkpoint file is created, and an existing one keeps its
# content. A non-finite loss exits 3 and writes no --save file.
source "$(dirname "$0")/lib/common.bash"
T="$DS_TEST_DATA/train"

echo "previous content" >keep.csv
cp keep.csv keep.ckpt
outs=(--log keep.csv --save keep.ckpt --checkpoint new.ckpt)

# bad_input NEEDLE ARGS...: exit 2, NEEDLE in the message, nothing written.
bad_input() {
    local needle=$1; shift
    expect_exit 2 "$DESCENT" train "$@" "${outs[@]}"
    expect_in "$err" "$needle"
    [ "$(cat keep.csv)" = "previous content" ] || fail "--log clobbered by: $*"
    cmp -s keep.csv keep.ckpt || fail "--save clobbered by: $*"
    [ ! -e new.ckpt ] || fail "--checkpoint created by: $*"
    local stray
    stray=$(ls | grep -v '^keep\.csv$\|^keep\.ckpt$\|\.idx$\|\.idx\.gz$\|^bad\.ckpt$' || true)
    [ -z "$stray" ] || fail "stray files after '$*': $stray"
}

# IDX fixtures: 3 images of 2x2 and labels, raw and gzip, then broken ones.
printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x02\x00\x00\x00\x02' >img.idx
printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b' >>img.idx
printf '\x00\x00\x08\x01\x00\x00\x00\x03\x00\x01\x02' >lab.idx
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x00\x01' >lab2.idx
head -c 20 img.idx >short.idx
gzip -c img.idx >img.idx.gz
head -c 25 img.idx.gz >cut.idx.gz
"$DESCENT" train --data idx:img.idx,lab.idx --model mlp:4-3 --epochs 1 >/dev/null ||
    fail "the good IDX fixture does not train"

bad_input "missing.idx" --data idx:missing.idx,lab.idx --model mlp:4-3
bad_input "short.idx" --data idx:short.idx,lab.idx --model mlp:4-3
bad_input "cut.idx.gz" --data idx:cut.idx.gz,lab.idx --model mlp:4-3
bad_input "lab2.idx" --data idx:img.idx,lab2.idx --model mlp:4-3
bad_input "ragged.csv:3" --data "csv:$T/ragged.csv" --model mlp:2-3
bad_input "nonnumeric.csv:3" --data "csv:$T/nonnumeric.csv" --model mlp:2-3
bad_input "5 inputs" --data "csv:$T/blobs.csv" --model mlp:5-3
bad_input "lr" --data "csv:$T/blobs.csv" --model mlp:2-3 --opt sgd:lr=-1
bad_input "--bogus" --data "csv:$T/blobs.csv" --bogus
bad_input "relux" --data "csv:$T/blobs.csv" --model mlp:2-4-3 --act relux
bad_input "--epochs" --data "csv:$T/blobs.csv" --model mlp:2-3 --epochs 0
bad_input "--batch" --data "csv:$T/blobs.csv" --model mlp:2-3 --batch 0x10
bad_input "--val" --data "csv:$T/blobs.csv" --model mlp:2-3 --val 1.5
bad_input "plateau" --data "csv:$T/blobs.csv" --model mlp:2-3 --plateau 0.5
bad_input "nothere.ckpt" --data "csv:$T/blobs.csv" --resume nothere.ckpt
printf 'DESCENT\x1a garbage' >bad.ckpt
bad_input "bad.ckpt" --data "csv:$T/blobs.csv" --resume bad.ckpt
rm bad.ckpt
expect_exit 2 "$DESCENT" train --data "csv:$T/blobs.csv" --model mlp:2-3 --save nodir/x.ckpt
expect_in "$err" "nodir"

# divergence: exit 3, the message names step, epoch and lr; no --save
expect_exit 3 "$DESCENT" train --data "csv:$T/blobs.csv" --model mlp:2-8-3 --batch 8 \
    --opt sgd:lr=1e30 --epochs 3 --save diverged.ckpt
expect_in "$err" "non-finite"
expect_in "$err" "lr 1e+30"
[ ! -e diverged.ckpt ] || fail "a diverged run wrote --save"
# --on-divergence rollback halves the rate from the last good state instead
# (the neuron's update overflows float at lr 1e39; its loss stays bounded)
bad_input "--on-divergence" --data toy --model neuron --on-divergence retry
expect_exit 0 "$DESCENT" train --model neuron --data toy --batch full --opt sgd:lr=1e39 \
    --epochs 3 --on-divergence rollback --save rolled.ckpt
expect_in "$out" "rollbacks"
[ -s rolled.ckpt ] || fail "rollback run did not save"
echo "ok"
