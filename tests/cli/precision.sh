# precision.sh - `--precision fp32|bf16`. bf16 products run where the
# oneDNN backend runs on a CPU with native bf16 (AVX512_BF16 or AMX); there
# a bf16 training run on a Fashion-MNIST subset reaches a test accuracy
# within 0.01 of the same run in fp32, and its checkpoint records the
# precision (a resume with another one is refused). Elsewhere bf16 is
# refused in one line with exit 2, nothing written. A bad value is refused
# by train and bench alike.
source "$(dirname "$0")/lib/common.bash"

expect_exit 2 "$DESCENT" train --precision fp16 --epochs 1
expect_in "$err" "unknown precision 'fp16' (accepted: fp32, bf16)"
expect_exit 2 "$DESCENT" bench train --precision half --epochs 1
expect_in "$err" "unknown precision 'half'"

run=(train --data fashion-mnist:limit=10000 --epochs 3 --threads 1 --json)
backend=$("$DESCENT" --version | sed -n 's/^backend: \([a-z]*\):.*/\1/p')
isa=$("$DESCENT" --version | sed -n 's/.*(isa \([a-z0-9_]*\)).*/\1/p')
if [ "$backend" != onednn ] || [[ "$isa" != *bf16* && "$isa" != *amx* ]]; then
    expect_exit 2 "$DESCENT" "${run[@]}" --precision bf16 --save bf16.model
    [ "$(wc -l <<<"$err")" = 1 ] || fail "expected one line: $err"
    expect_in "$err" "precision bf16 needs"
    [ ! -e bf16.model ] || fail "a refused run wrote its model file"
    echo "ok: bf16 refused on $backend ($isa)"
    exit 0
fi

expect_exit 0 "$DESCENT" "${run[@]}" --precision fp32
fp32=$out
expect_exit 0 "$DESCENT" "${run[@]}" --precision bf16 --save bf16.model
bf16=$out
python3 -c "import json, sys
a, b = json.loads(sys.argv[1])['test_accuracy'], json.loads(sys.argv[2])['test_accuracy']
assert a > 0.75 and abs(a - b) <= 0.01, (a, b)
print('test accuracy fp32 %.4f bf16 %.4f' % (a, b))" "$fp32" "$bf16" || fail "bf16 accuracy off"
grep -aq "precision=bf16" bf16.model || fail "the checkpoint does not record precision=bf16"
expect_exit 2 "$DESCENT" train --resume bf16.model --epochs 4 --precision fp32
expect_in "$err" "--precision fp32 differs from"
expect_exit 0 "$DESCENT" bench train --data fashion-mnist:limit=2000 --precision bf16 --reps 1 --json
python3 -c "import json, sys; d = json.loads(sys.argv[1]); assert d['precision'] == 'bf16', d" \
    "$out" || fail "bench train does not say bf16: $out"
echo "ok"
