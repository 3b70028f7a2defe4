# confusion.sh - `eval --confusion` and `plot --confusion`: the matrix of a
# model that makes mistakes equals the one counted here from `descent
# predict`'s classes and the labels; precision, recall, F1 and support
# match scikit-learn's definitions (0/0 = 0) computed here; the text form
# prints the same matrix; the SVG is well-formed with one cell per pair
# holding its count; regression models and missing options are refused.
source "$(dirname "$0")/lib/common.bash"
T="$DS_TEST_DATA/train"

# one epoch at a small rate: a model that still confuses classes
quiet "$DESCENT" train --data "csv:$T/blobs.csv" --model mlp:2-4-3 --epochs 1 --batch 8 \
    --opt sgd:lr=0.05 --seed 3 --save m.ckpt >/dev/null
"$DESCENT" eval --model-file m.ckpt --data "csv:$T/blobs.csv" --confusion --json >e.json
"$DESCENT" predict --model-file m.ckpt --data "$T/blobs.csv" -o p.csv
python3 - "$T/blobs.csv" p.csv e.json <<'PY' || fail "confusion: $(cat e.json)"
import csv, json, sys
y = [int(r["label"]) for r in csv.DictReader(open(sys.argv[1]))]
p = [int(r["class"]) for r in csv.DictReader(open(sys.argv[2]))]
e = json.load(open(sys.argv[3]))
c = e["confusion"]
k = 3
cm = [[sum(1 for a, b in zip(y, p) if a == i and b == j) for j in range(k)] for i in range(k)]
assert c["matrix"] == cm, (c["matrix"], cm)
assert any(cm[i][j] for i in range(k) for j in range(k) if i != j), "the model makes no mistake"
for i in range(k):
    col, row = sum(cm[j][i] for j in range(k)), sum(cm[i])
    prec = cm[i][i] / col if col else 0.0
    rec = cm[i][i] / row if row else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    assert abs(c["precision"][i] - prec) < 1e-12 and abs(c["recall"][i] - rec) < 1e-12, i
    assert abs(c["f1"][i] - f1) < 1e-12 and c["support"][i] == row, i
assert abs(c["macro_f1"] - sum(c["f1"]) / k) < 1e-12
assert abs(e["test_accuracy"] - sum(cm[i][i] for i in range(k)) / len(y)) < 1e-12
PY
"$DESCENT" eval --model-file m.ckpt --data "csv:$T/blobs.csv" --confusion >e.txt
python3 - e.txt e.json <<'PY' || fail "text matrix: $(cat e.txt)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
at = lines.index("confusion matrix (rows: true class, columns: predicted)")
rows = [[int(v) for v in l.split()[1:]] for l in lines[at + 2:at + 5]]
assert rows == json.load(open(sys.argv[2]))["confusion"]["matrix"], rows
assert any(l.split()[:1] == ["macro"] for l in lines)
PY

"$DESCENT" plot --confusion --model-file m.ckpt --data "csv:$T/blobs.csv" -o cm.svg
xmllint --noout cm.svg
python3 - cm.svg e.json <<'PY' || fail "SVG cells"
import json, re, sys
svg = open(sys.argv[1]).read()
cells = re.findall(r'<rect class="cell"[^>]*><title>(\d+)</title>', svg)
cm = json.load(open(sys.argv[2]))["confusion"]["matrix"]
assert [int(v) for v in cells] == [v for r in cm for v in r], cells
assert "predicted class" in svg and "true class" in svg
PY

# refused: a regression model, missing options, mixed figure kinds
quiet "$DESCENT" train --data linear:n=50,features=2 --model mlp:2-1 --loss mse --epochs 1 \
    --save r.ckpt >/dev/null
expect_exit 2 "$DESCENT" eval --model-file r.ckpt --data linear:n=50,features=2 --confusion
expect_in "$err" "classifier"
expect_exit 2 "$DESCENT" plot --confusion --model-file m.ckpt -o x.svg
expect_in "$err" "--data"
expect_exit 2 "$DESCENT" plot --confusion --model-file m.ckpt --data "csv:$T/blobs.csv" --fn booth -o x.svg
expect_in "$err" "drop"
expect_exit 2 "$DESCENT" plot --model-file m.ckpt --fn booth --opt gd --start 1,1 -o x.svg
expect_in "$err" "--confusion"
[ ! -e x.svg ] || fail "a refused plot wrote x.svg"
echo "ok"
