# safetensors.sh - `descent train --init-from FILE.safetensors` starts from
# weights torch wrote (tools/torch_cnn.py: torch's state_dict of an
# nn.Sequential), and refuses a file for another model with exit status 2,
# naming the tensor, before anything is written.
source "$(dirname "$0")/lib/common.bash"
T="$DS_TEST_DATA/train"
net='net:in=1x8x8|conv:4,3,same|relu|maxpool:2|dense:3'

# 12 rows of 64 features and a label in 0..2
python3 - >img.csv <<'PY'
print(",".join("x%d" % i for i in range(64)) + ",label")
for r in range(12):
    print(",".join("%.3f" % (((r * 64 + i) * 37 % 23) / 11.5 - 1) for i in range(64)) + ",%d" % (r % 3))
PY

# torch's trained weights (that they give torch's loss is test_net_torch's
# part; here: the option reads them and the run goes on)
"$DESCENT" train --model "$net" --data csv:img.csv --init-from "$T/torch_cnn_0.safetensors" \
    --epochs 1 --batch 4 --json >good.json || fail "training from torch's weights failed"
grep -q '"test_accuracy"\|"train_loss"' good.json || fail "no JSON result: $(cat good.json)"

# bad NEEDLE ARGS...: exit 2, NEEDLE in the message, no --save file.
bad() {
    local needle=$1; shift
    expect_exit 2 "$DESCENT" train --data csv:img.csv --epochs 1 --save out.ckpt "$@"
    expect_in "$err" "$needle"
    [ ! -e out.ckpt ] || fail "--save written by: $*"
}
bad "tensor '0.weight' has shape [4,1,3,3]" --model 'net:in=1x8x8|conv:5,3,same|relu|maxpool:2|dense:3' \
    --init-from "$T/torch_cnn_0.safetensors"
bad "tensor '1.weight' is missing" --model 'net:in=1x8x8|conv:4,3,same|batchnorm|relu|maxpool:2|dense:3' \
    --init-from "$T/torch_cnn_0.safetensors"
bad "tensor '4.weight' is not in the model" --model 'net:in=1x8x8|conv:4,3,same|relu|maxpool:2' \
    --init-from "$T/torch_cnn_0.safetensors"
head -c 100 "$T/torch_cnn_0.safetensors" >cut.safetensors
bad "not a safetensors file" --model "$net" --init-from cut.safetensors
bad "cannot open" --model "$net" --init-from missing.safetensors
bad "give one of them" --model "$net" --init-from "$T/torch_cnn_0.safetensors" --resume x.ckpt

# a network's checkpoint (batch norm's running statistics inside) evaluates
"$DESCENT" train --model 'net:in=1x8x8|conv:4,3,same|batchnorm|relu|maxpool:2|dropout:0.2|dense:3' \
    --data csv:img.csv --epochs 2 --batch 4 --save bn.ckpt 2>train.err || fail "$(cat train.err)"
"$DESCENT" eval --model-file bn.ckpt --data csv:img.csv --json >eval.json || fail "eval of a net failed"
grep -q '"test_accuracy"' eval.json || fail "no accuracy from eval: $(cat eval.json)"
