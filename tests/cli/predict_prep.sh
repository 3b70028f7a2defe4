# predict_prep.sh - the round trip of issue 14: train with --normalize
# standard on a CSV with a header and string class labels (the label
# column not last), predict on a CSV without the label column, and get the
# original names back, scoring eval's accuracy exactly; columns matched by
# name (reordered: the same; a foreign one refused); the ONNX export
# starts with the same normalization (IsNaN/Where, Sub, Mul) and gives
# predict's probabilities in ONNX Runtime within 1e-5.
source "$(dirname "$0")/lib/common.bash"
source "$DS_LIB/onnx.bash" # PY, ort/

python3 - <<'PY'
import random
random.seed(11)
names = ["setosa", "versicolor", "virginica"]
def row(k):
    return [100 + 30 * k + random.gauss(0, 6), 0.01 * k + random.gauss(0, 0.004),
            random.gauss(0, 1)]
with open("train.csv", "w") as f:
    f.write("sepal,petal,species,noise\n")
    for i in range(300):
        a, b, d = row(i % 3)
        f.write("%.4f,%.6f,%s,%.3f\n" % (a, b, names[i % 3], d))
with open("new.csv", "w") as f, open("truth.txt", "w") as t, open("labelled.csv", "w") as g:
    f.write("sepal,petal,noise\n")
    g.write("sepal,petal,species,noise\n")
    for i in range(90):
        a, b, d = row(i % 3)
        f.write("%.4f,%.6f,%.3f\n" % (a, b, d))
        g.write("%.4f,%.6f,%s,%.3f\n" % (a, b, names[i % 3], d))
        t.write(names[i % 3] + "\n")
PY
quiet "$DESCENT" train --data csv:train.csv --label-column species --normalize standard \
    --model mlp:3-8-3 --opt adam:lr=0.05 --epochs 10 --batch 16 --seed 2 --save m.ckpt >/dev/null

"$DESCENT" predict --model-file m.ckpt --data new.csv --proba -o p.csv
[ "$(head -1 p.csv)" = "class,prob_setosa,prob_versicolor,prob_virginica" ] ||
    fail "header: $(head -1 p.csv)"
"$DESCENT" predict --model-file m.ckpt --data labelled.csv -o l.csv
[ "$(cut -d, -f1 p.csv)" = "$(cat l.csv)" ] || fail "with the label column: other classes"
"$DESCENT" eval --model-file m.ckpt --data csv:labelled.csv,label=species --json >e.json
python3 - p.csv truth.txt e.json <<'PY' || fail "names back: $(head -3 p.csv)"
import csv, json, sys
pred = [r["class"] for r in csv.DictReader(open(sys.argv[1]))]
truth = open(sys.argv[2]).read().split()
acc = json.load(open(sys.argv[3]))["test_accuracy"]
right = sum(p == t for p, t in zip(pred, truth))
assert len(pred) == 90 and set(pred) <= {"setosa", "versicolor", "virginica"}, pred[:5]
assert right / 90 == acc and acc > 0.9, (right, acc)
PY
# columns matched by name: reordered, the same predictions; a foreign one refused
awk -F, -v OFS=, '{ print $3, $1, $2 }' new.csv >reordered.csv
"$DESCENT" predict --model-file m.ckpt --data reordered.csv --proba -o r.csv
cmp -s p.csv r.csv || fail "reordered columns predict differently"
sed '1s/noise/nois/' new.csv >renamed.csv
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data renamed.csv
expect_in "$err" "renamed.csv:1: a column not in the training file 'nois'"
"$DESCENT" predict --model-file m.ckpt --data new.csv --format json -o p.json
python3 -c 'import json, sys; assert {r["class"] for r in json.load(open(sys.argv[1]))} <= {"setosa", "versicolor", "virginica"}' p.json ||
    fail "JSON names: $(head -c 200 p.json)"

# ONNX: the normalization in the graph; ONNX Runtime gives predict's numbers
"$DESCENT" export --model-file m.ckpt --format onnx --softmax -o m.onnx
$PY - m.onnx <<'PY' || fail "ONNX graph"
import onnx, sys
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
ops = [n.op_type for n in m.graph.node]
assert ops[:4] == ["IsNaN", "Where", "Sub", "Mul"] and ops[-1] == "Softmax", ops
PY
tail -n +2 new.csv >rows.csv
node ort/compare.js m.onnx rows.csv p.csv >c.json
python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["rows"] == 90 and c["max_abs_diff"] <= 1e-5, c' c.json ||
    fail "ONNX Runtime: $(cat c.json)"
echo "ok"
