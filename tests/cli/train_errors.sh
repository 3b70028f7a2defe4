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
    stray=$(ls | grep -v '^keep\.csv$\|^keep\.ckpt$\|\.idx$\|\.idx\.gz$\|^bad\.ckpt$\|^in$' || true)
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

# Data checked at load, before training and before any output (issue 15):
# CSV fixtures in in/ (x1,x2,label as blobs.csv).
mkdir in
awk -F, '{print $3 "," $2 "," $1}' "$T/blobs.csv" >in/reordered.csv
cut -d, -f1,3 "$T/blobs.csv" >in/fewer.csv
sed 's/^x2,/x3,/; s/,x2,/,x3,/' "$T/blobs.csv" >in/renamed.csv
sed '3s/^[^,]*,/nan,/' "$T/blobs.csv" >in/nan.csv
tr , ';' <"$T/blobs.csv" >in/semicolon.csv
tr , '\t' <"$T/blobs.csv" >in/tab.csv
awk -F, 'NR == 1 {print; next} {print $1 "," $2 "," $3 + 1}' "$T/blobs.csv" >in/from1.csv
printf '\xef\xbb\xbflabel,x1\n0,1\n1,2\n' >in/bom.csv
# a test file with its columns in another order is matched by name: it
# scores exactly as the training file itself does
args=(--model mlp:2-3 --epochs 2 --json)
expect_exit 0 "$DESCENT" train --data "csv:$T/blobs.csv,$T/blobs.csv" "${args[@]}"
want=$out
expect_exit 0 "$DESCENT" train --data "csv:$T/blobs.csv,in/reordered.csv" "${args[@]}"
[ "$(sed 's/"seconds.*//' <<<"$out")" = "$(sed 's/"seconds.*//' <<<"$want")" ] ||
    fail "reordered test columns: $out, the same file gives $want"
bad_input "in/fewer.csv:1: the test file needs the training file's columns" \
    --data "csv:$T/blobs.csv,in/fewer.csv" --model mlp:2-3
bad_input "missing: 'x2'; not in the training file: 'x3'" \
    --data "csv:$T/blobs.csv,in/renamed.csv" --model mlp:2-3
bad_input "in/nan.csv:3:1: not a finite number" --data csv:in/nan.csv --model mlp:2-3
bad_input "looks semicolon-separated, not comma-separated: give delimiter=semicolon" \
    --data csv:in/semicolon.csv,delimiter=comma --model mlp:2-3
bad_input "looks tab-separated" --data csv:in/tab.csv,delimiter=semicolon --model mlp:2-3
# detected, the same numbers as the comma-separated file
for f in semicolon tab; do
    expect_exit 0 "$DESCENT" train --data "csv:in/$f.csv,$T/blobs.csv" "${args[@]}"
    [ "$(sed 's/"seconds.*//' <<<"$out")" = "$(sed 's/"seconds.*//' <<<"$want")" ] ||
        fail "$f-separated file: $out, the comma-separated one gives $want"
done
bad_input "smallest here is 1: shift them to start at 0" --data csv:in/from1.csv --model mlp:2-3
expect_exit 0 "$DESCENT" train --data csv:in/bom.csv --model mlp:1-2 --epochs 1
# a loss that is not finite before any update is not the learning rate's doing
expect_exit 3 "$DESCENT" train --data "csv:$T/blobs.csv" --model mlp:2-3 --init const:1e38
expect_in "$err" "before any update: the initial weights (--init) or the input values"
# a --log write that fails (file size limit, as a full disk) is reported as
# such, exit 1, not as a stop on request (stderr through a pipe: the limit
# applies to files only)
set +e
err=$(bash -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' _ "$DESCENT" train --data "csv:$T/blobs.csv" \
    --model mlp:2-3 --epochs 2 --log full.csv 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" = 1 ] || fail "--log under ulimit -f 0 exited $rc: $err"
expect_in "$err" "cannot write 'full.csv'"
case "$err" in *"on request"*) fail "--log failure reported as a stop on request: $err" ;; esac

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
