# onnx.sh - `descent export`: the ONNX files pass onnx.checker (Debian's
# python3-onnx) and run in ONNX Runtime (npm onnxruntime-node, pinned in
# tests/onnx/package-lock.json, installed here with npm ci --ignore-scripts):
# on the Fashion-MNIST test split a classifier's probabilities equal
# `descent predict --proba` within 1e-5 and its accuracy equals `descent
# eval`'s; a regression MLP (tanh) and the sigmoid neuron give predict's
# outputs within 1e-5. The safetensors file holds the checkpoint's weights
# under nn.Sequential's names and shapes (read here without descent).
# Bad options and models are refused with exit status 2 and no file.
source "$(dirname "$0")/lib/common.bash"
FM=/usr/share/datasets/fashion-mnist
[ -f "$FM/t10k-images-idx3-ubyte.gz" ] || fail "Fashion-MNIST missing: run tools/deps.sh"
source "$(dirname "$0")/lib/onnx.bash" # PY, ort/

check_onnx() { $PY -c 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); assert m.opset_import[0].version == 13' "$1" ||
    fail "onnx.checker refuses $1"; }

# a Fashion-MNIST classifier: probabilities and accuracy
quiet "$DESCENT" train --data fashion-mnist --model mlp:784-64-10 --epochs 1 --batch 128 \
    --opt adam:lr=1e-3 --save fm.ckpt >/dev/null
"$DESCENT" export --model-file fm.ckpt --format onnx --softmax -o fm.onnx
check_onnx fm.onnx
"$DESCENT" predict --model-file fm.ckpt --data fashion-mnist --proba -o fm.csv
"$DESCENT" eval --model-file fm.ckpt --json >fm.json
node ort/compare.js fm.onnx "$FM/t10k-images-idx3-ubyte.gz" fm.csv "$FM/t10k-labels-idx1-ubyte.gz" >fm.cmp
$PY - fm.cmp fm.json <<'PY' || fail "ONNX Runtime against descent: $(cat fm.cmp) $(cat fm.json)"
import json, sys
c, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("fashion-mnist: max |ORT - predict --proba| = %.3g over %d rows" % (c["max_abs_diff"], c["rows"]), file=sys.stderr)
assert c["rows"] == 10000 and c["max_abs_diff"] <= 1e-5, c
assert c["accuracy"] == e["test_accuracy"] and c["accuracy"] > 0.7, (c, e)
assert c["argmax_agree"] == 10000, c
PY
# without --softmax the output is the logits: not probabilities
"$DESCENT" export --model-file fm.ckpt --format onnx -o logits.onnx
check_onnx logits.onnx
if node ort/compare.js logits.onnx "$FM/t10k-images-idx3-ubyte.gz" fm.csv >logits.cmp; then
    $PY -c 'import json, sys; assert json.load(open(sys.argv[1]))["max_abs_diff"] > 0.1' logits.cmp ||
        fail "the logits model gave probabilities: $(cat logits.cmp)"
fi

# regression: an MLP with tanh, and the sigmoid neuron
$PY -c 'import random
random.seed(5)
for i in range(500): print(",".join("%.6g" % random.uniform(-3, 3) for _ in range(3)))' >rows.csv
for run in "linear:n=300,features=3 mlp:3-16-8-1 --act tanh --loss mse" "sparse:n=300,features=3 neuron:3"; do
    read -r data spec <<<"$run"
    quiet "$DESCENT" train --data "$data" --model $spec --epochs 3 --save r.ckpt >/dev/null
    "$DESCENT" export --model-file r.ckpt --format onnx -o r.onnx
    check_onnx r.onnx
    "$DESCENT" predict --model-file r.ckpt --data rows.csv -o r.csv
    node ort/compare.js r.onnx rows.csv r.csv >r.cmp
    $PY -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["rows"] == 500 and c["max_abs_diff"] <= 1e-5, c' r.cmp ||
        fail "$spec: ONNX Runtime against predict: $(cat r.cmp)"
done

# safetensors: the checkpoint's weights, nn.Sequential's names and shapes
"$DESCENT" export --model-file fm.ckpt --format safetensors -o fm.safetensors
$PY - fm.safetensors fm.ckpt "$DS_LIB" <<'PY' || fail "safetensors"
import json, struct, sys
sys.path.insert(0, sys.argv[3])
import ckpt
b = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", b[:8])
h = json.loads(b[8:8 + n])
meta = h.pop("__metadata__")
assert n % 8 == 0 and meta["format"] == "pt" and meta["descent"].startswith("mlp:784-64-10 "), meta
shapes = {"0.weight": [64, 784], "0.bias": [64], "2.weight": [10, 64], "2.bias": [10]}
assert {k: v["shape"] for k, v in h.items()} == shapes and all(v["dtype"] == "F32" for v in h.values()), h
params = ckpt.records(sys.argv[2])["model.params"][1]
w1, w2 = 64 * 784 * 4, 10 * 64 * 4
want = {"0.weight": params[:w1], "2.weight": params[w1:w1 + w2],
        "0.bias": params[w1 + w2:w1 + w2 + 256], "2.bias": params[w1 + w2 + 256:]}
end = 0
for k, v in h.items():
    s, e = v["data_offsets"]
    assert b[8 + n + s:8 + n + e] == want[k], k
    end = max(end, e)
assert 8 + n + end == len(b)
PY

# refused, nothing written
expect_exit 2 "$DESCENT" export --model-file fm.ckpt --format tflite -o x.onnx
expect_in "$err" "onnx or safetensors"
expect_exit 2 "$DESCENT" export --model-file r.ckpt --format onnx --softmax -o x.onnx
expect_in "$err" "classifier"
expect_exit 2 "$DESCENT" export --model-file fm.ckpt --format safetensors --softmax -o x.onnx
expect_exit 2 "$DESCENT" export --model-file missing.ckpt --format onnx -o x.onnx
expect_in "$err" "missing.ckpt"
expect_exit 2 "$DESCENT" export --model-file fm.ckpt --format onnx -o fm.ckpt
expect_in "$err" "refusing"
[ ! -e x.onnx ] || fail "a refused export wrote x.onnx"
echo "ok"
