# onnx_net.sh - `descent export --format onnx` of layer networks: a small
# CNN trained a few seconds on Fashion-MNIST (conv with same and valid
# padding, one of stride 2, batch norm on an image and on rows, max and
# average pooling, dropout, dense, relu, sigmoid, tanh) passes
# onnx.checker, takes its input as [N, 1, 28, 28] and, run in ONNX Runtime
# (tests/onnx, as onnx.sh) on the first 2000 test images, gives `descent
# predict --proba`'s probabilities within 1e-5 and the same classes, also after a
# recorded --normalize (shaped 1x28x28); flat rows are refused; a network on
# flat rows (a 1x1 conv after a Reshape, batch norm on rows) gives
# predict's outputs within 1e-5; the 2c2d preset exports and passes the
# checker.
source "$(dirname "$0")/lib/common.bash"
FM=/usr/share/datasets/fashion-mnist
[ -f "$FM/t10k-images-idx3-ubyte.gz" ] || fail "Fashion-MNIST missing: run tools/deps.sh"
source "$(dirname "$0")/lib/onnx.bash" # PY, ort/

# check_onnx FILE INPUT-SHAPE OPS: the checker passes, the input is
# [N, INPUT-SHAPE...] and the graph's ops are OPS, in order
check_onnx() {
    $PY - "$@" <<'PY' || fail "onnx.checker or the graph of $1"
import onnx, sys
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
assert m.opset_import[0].version == 13 and m.ir_version == 7, m.opset_import
dims = [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
assert dims == ["N"] + [int(v) for v in sys.argv[2].split("x")], dims
ops = " ".join(n.op_type for n in m.graph.node)
assert ops == sys.argv[3], ops
PY
}

# compare OUT.JSON N: N rows, within 1e-5, and for a classifier the same classes
compare_ok() {
    $PY - "$@" <<'PY' || fail "ONNX Runtime against predict: $(cat "$1")"
import json, sys
c = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
print("%s: max |ORT - predict| = %.3g over %d rows" % (sys.argv[1], c["max_abs_diff"], c["rows"]), file=sys.stderr)
assert c["rows"] == n and c["max_abs_diff"] <= 1e-5, c
assert c["argmax_agree"] in (None, n), c
PY
}

# the first 2000 test images and labels as raw IDX files, for both sides
$PY "$DS_SOURCE_DIR/tools/idx_head.py" t10k 2000 t
test_idx=(--data idx:t-images.idx,t-labels.idx)

net='net:in=1x28x28|conv:4,3,same|batchnorm|relu|maxpool:2|conv:8,3,valid,stride=2|sigmoid|'
net+='avgpool:2|dropout:0.25|dense:16|batchnorm|tanh|dense:10'
quiet "$DESCENT" train --model "$net" --data fashion-mnist:limit=2000 --epochs 1 --batch 32 \
    --threads 2 --save cnn.ckpt >train.out
"$DESCENT" export --model-file cnn.ckpt --format onnx --softmax -o cnn.onnx
check_onnx cnn.onnx 1x28x28 "Conv BatchNormalization Relu MaxPool Conv Sigmoid AveragePool Flatten Gemm BatchNormalization Tanh Gemm Softmax"
"$DESCENT" predict --model-file cnn.ckpt "${test_idx[@]}" --proba -o cnn.csv
node ort/compare.js --shape=1x28x28 cnn.onnx t-images.idx cnn.csv t-labels.idx >cnn.cmp
compare_ok cnn.cmp 2000
# a recorded --normalize first, its vectors shaped 1x28x28
quiet "$DESCENT" train --model 'net:in=1x28x28|conv:2,3|relu|dense:10' --normalize standard \
    --data fashion-mnist:limit=500 --epochs 1 --save prep.ckpt >train.out
"$DESCENT" export --model-file prep.ckpt --format onnx --softmax -o prep.onnx
check_onnx prep.onnx 1x28x28 "IsNaN Where Sub Mul Conv Relu Flatten Gemm Softmax"
"$DESCENT" predict --model-file prep.ckpt "${test_idx[@]}" --proba -o prep.csv
node ort/compare.js --shape=1x28x28 prep.onnx t-images.idx prep.csv >prep.cmp
compare_ok prep.cmp 2000

# the rows flat are not the model's input
if node ort/compare.js cnn.onnx t-images.idx cnn.csv >flat.cmp 2>flat.err; then
    fail "ONNX Runtime took [N, 784] rows for a [N, 1, 28, 28] input"
fi

# flat rows: a 1x1 conv needs them as [N, C, 1, 1] images, batch norm on rows
$PY -c 'import random
random.seed(5)
for i in range(300): print(",".join("%.6g" % random.uniform(-3, 3) for _ in range(3)))' >rows.csv
quiet "$DESCENT" train --data linear:n=300,features=3 --loss mse \
    --model 'net:in=3|batchnorm|conv:4,1|relu|dense:1' --epochs 3 --save flat.ckpt >train.out
"$DESCENT" export --model-file flat.ckpt --format onnx -o flat.onnx
check_onnx flat.onnx 3 "BatchNormalization Reshape Conv Relu Flatten Gemm Identity"
"$DESCENT" predict --model-file flat.ckpt --data rows.csv -o flat.csv
node ort/compare.js flat.onnx rows.csv flat.csv >flat.cmp
compare_ok flat.cmp 300

# the 2c2d preset: exported and checked (trained on a few rows only)
quiet "$DESCENT" train --model 2c2d --data fashion-mnist:limit=64 --epochs 1 --batch 32 \
    --threads 2 --save 2c2d.ckpt >train.out
"$DESCENT" export --model-file 2c2d.ckpt --format onnx -o 2c2d.onnx
check_onnx 2c2d.onnx 1x28x28 "Conv Relu MaxPool Conv Relu MaxPool Flatten Gemm Relu Gemm Identity"
echo "ok"
