# predict_net.sh - a layer network (conv, batch norm, dropout, pooling,
# dense) through the inference API: `descent predict` gives, per class,
# exactly the predictions `eval --confusion` counts (the running
# statistics, no dropout: evaluation mode), whatever the block size and
# thread count; export --format safetensors writes the network's tensors
# under nn.Sequential's names (batch norm's statistics included); its
# ONNX export passes onnx.checker.
source "$(dirname "$0")/lib/common.bash"
D='fashion-mnist:limit=2000'
net='net:in=1x28x28|conv:4,3,same|batchnorm|relu|maxpool:2|dropout:0.25|dense:10'
quiet "$DESCENT" train --model "$net" --data "$D" --epochs 1 --batch 32 --threads 2 \
    --save m.ckpt >/dev/null

"$DESCENT" eval --model-file m.ckpt --data "$D" --confusion --json >e.json
"$DESCENT" predict --model-file m.ckpt --data "$D" -o p.csv
"$DESCENT" predict --model-file m.ckpt --data "$D" --block 7 --threads 1 -o p7.csv
cmp -s p.csv p7.csv || fail "block 7 on one thread predicts other classes"
python3 - e.json p.csv <<'PY' || fail "predict's classes against eval's confusion matrix"
import csv, json, sys
e = json.load(open(sys.argv[1]))
m = e["confusion"]["matrix"]
pred = [int(r["class"]) for r in csv.DictReader(open(sys.argv[2]))]
assert len(pred) == e["examples"], (len(pred), e["examples"])
counts = [sum(row[k] for row in m) for k in range(len(m))]
assert counts == [pred.count(k) for k in range(len(m))], (counts, [pred.count(k) for k in range(10)])
assert e["test_accuracy"] > 0.5, e["test_accuracy"]
PY

"$DESCENT" export --format safetensors --model-file m.ckpt -o m.safetensors
python3 - m.safetensors <<'PY' || fail "safetensors names of the network"
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
want = {"0.weight": [4, 1, 3, 3], "0.bias": [4], "1.weight": [4], "1.bias": [4],
        "1.running_mean": [4], "1.running_var": [4], "6.weight": [10, 784], "6.bias": [10]}
for k, shape in want.items():
    assert h[k]["shape"] == shape, (k, h.get(k))
PY

# ONNX export takes the network (onnx_net.sh runs such files in ONNX Runtime)
"$DESCENT" export --format onnx --softmax --model-file m.ckpt -o m.onnx
/usr/bin/python3 -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' m.onnx ||
    fail "onnx.checker refuses the network's export"
