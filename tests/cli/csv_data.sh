# csv_data.sh - CSV as users have it (doc/data.md, "CSV"): a semicolon-
# separated file with a byte-order mark, a header, named class labels and
# missing values trains with the delimiter and header detected, the model's
# sizes taken from the data (mlp:auto-8-auto) and --normalize; the scaling
# and class names go into the model file, `descent eval` applies and maps
# them; bad rows are refused with file:line:column, exit 2, nothing written.
source "$(dirname "$0")/lib/common.bash"

# 3 well separated classes of 4 features on very different scales; the
# species column is not last; a test file with the columns in another order.
python3 - <<'PY'
import random
random.seed(7)
names = ["setosa", "versicolor", "virginica"]
def row(k):
    return [100 + 30 * k + random.gauss(0, 3), 0.01 * k + random.gauss(0, 0.001),
            1000 + 80 * k + random.gauss(0, 10), random.gauss(0, 1)]
with open("train.csv", "w", encoding="utf-8-sig") as f:  # with a BOM
    f.write("sepal;petal;species;noise\n")
    for i in range(240):
        a, b, c, d = row(i % 3)
        f.write("%.4f;%.6f;%s;%.3f\n" % (a, b, names[i % 3], d))
with open("test.csv", "w") as f:
    f.write("noise,species,sepal,petal\n")
    for i in range(60):
        a, b, c, d = row(i % 3)
        f.write("%.3f,%s,%.4f,%.6f\n" % (d, names[i % 3], a, b))
# the same rows without versicolor: the model's indices must still be used
with open("test.csv") as f, open("two.csv", "w") as g:
    for line in f:
        if "versicolor" not in line: g.write(line)
PY
sed 's/,setosa,/,rose,/' test.csv >unseen.csv
awk 'NR == 5 {sub(/;[^;]*$/, ";NA")} {print}' train.csv >missing.csv

common=(--model mlp:auto-8-auto --opt adam:lr=0.05 --epochs 8 --batch 32 --seed 3
    --label-column species)
expect_exit 0 "$DESCENT" train --data csv:train.csv,test.csv --normalize standard "${common[@]}" \
    --save m.ckpt --json
trained=$out
python3 - "$DS_LIB" m.ckpt "$trained" <<'PY' || fail "m.ckpt or the result: $trained"
import json, struct, sys
sys.path.insert(0, sys.argv[1])
from ckpt import records
r = records(sys.argv[2])
assert r["model.desc"][1].startswith(b"mlp:3-8-3 "), r["model.desc"]  # 3 features, 3 classes
assert r["prep.norm"][1] == b"standard" and r["prep.classes"][1] == b"setosa\nversicolor\nvirginica"
# the scaling is the training file's: mean and population std of each column
cols = list(zip(*[l.split(";") for l in open("train.csv", encoding="utf-8-sig").read().split("\n")[1:] if l]))
feats = [[float(v) for v in c] for i, c in enumerate(cols) if i != 2]
off = struct.unpack("<3f", r["prep.offset"][1]); sc = struct.unpack("<3f", r["prep.scale"][1])
for j, c in enumerate(feats):
    m = sum(c) / len(c); sd = (sum((v - m) ** 2 for v in c) / len(c)) ** 0.5
    assert abs(off[j] - m) <= 1e-6 * abs(m) + 1e-9 and abs(sc[j] * sd - 1) < 1e-5, (j, off[j], m, sc[j], sd)
assert json.loads(sys.argv[3])["test_accuracy"] > 0.95, sys.argv[3]
PY

# eval applies the recorded scaling: the same numbers as train's test split
expect_exit 0 "$DESCENT" eval --model-file m.ckpt --json
python3 - "$trained" "$out" <<'PY' || fail "eval $out differs from train $trained"
import json, sys
t, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert t["test_loss"] == e["test_loss"] and t["test_accuracy"] == e["test_accuracy"]
PY
# a file with two of the three classes keeps the model's indices; its
# columns (in another order) are found by name
expect_exit 0 "$DESCENT" eval --model-file m.ckpt --data csv:two.csv --json
python3 -c 'import json, sys; a = json.loads(sys.argv[1]); assert a["examples"] == 40 and a["test_accuracy"] > 0.95, a' "$out" ||
    fail "two classes of three: $out"
expect_exit 2 "$DESCENT" eval --model-file m.ckpt --data csv:unseen.csv
expect_in "$err" "unseen.csv:2:"
expect_in "$err" ": label \"rose\" is not one of the model's classes ('setosa', 'versicolor', 'virginica')"

# bad input: exit 2, the place named, nothing written
bad() {
    local needle=$1; shift
    expect_exit 2 "$DESCENT" train "$@" --save bad.ckpt
    expect_in "$err" "$needle"
    [ ! -e bad.ckpt ] || fail "--save written by: $*"
}
bad "missing.csv:5:" --data csv:missing.csv "${common[@]}"
expect_in "$err" "missing value (an empty field, NA or ?)"
bad "train.csv:1:1: not a number: \"sepal\"" --data csv:train.csv --header no --label-column 2
bad "no label column 'species'" --data csv:train.csv --header no "${common[@]}"
bad "--header applies to CSV data (csv:PATH), not 'blobs'" --data blobs --header yes
bad "delimiter must be auto, comma, semicolon or tab (got 'pipe')" --data csv:train.csv --delimiter pipe "${common[@]}"
bad "only the first (inputs) and the last (outputs) size" --data csv:train.csv,label=species \
    --model mlp:auto-auto-3
bad "train.csv:2:18: not a number: \"setosa\"" --data csv:train.csv --label-column noise
quiet "$DESCENT" gen blobs --rows 50 --features 2 -o s.ds >gen.out
bad "a streamed data set's rows stay in its file" --data stream:s.ds --model mlp:2-3 --normalize minmax

# missing=mean fills, missing=drop leaves the row out: both train
expect_exit 0 "$DESCENT" train --data csv:missing.csv --missing mean --normalize minmax "${common[@]}" --json
expect_exit 0 "$DESCENT" train --data csv:missing.csv --missing drop "${common[@]}" --json

# regression: the output size is the targets per row
cut -d';' -f1,2,4 train.csv >reg.csv
expect_exit 0 "$DESCENT" train --data csv:reg.csv,task=regress --model mlp:auto-4-auto --loss mse \
    --epochs 1 --save r.ckpt
python3 - "$DS_LIB" <<'PY' || fail "regression model size"
import sys; sys.path.insert(0, sys.argv[1])
from ckpt import records
assert records("r.ckpt")["model.desc"][1].startswith(b"mlp:2-4-1 ")
PY

# --normalize is fixed by the checkpoint; the resumed run equals the whole one
expect_exit 0 "$DESCENT" train --data csv:train.csv --val 0.25 --normalize minmax "${common[@]}" --json
whole=$out
"$DESCENT" train --data csv:train.csv --val 0.25 --normalize minmax "${common[@]}" --epochs 3 \
    --checkpoint c.ckpt >train.out
expect_exit 2 "$DESCENT" train --resume c.ckpt --normalize standard
expect_in "$err" "--normalize standard differs from c.ckpt, which recorded minmax"
expect_exit 0 "$DESCENT" train --resume c.ckpt --epochs 8 --json
[ "$(sed 's/"seconds.*//' <<<"$out")" = "$(sed 's/"seconds.*//' <<<"$whole")" ] ||
    fail "resumed: $out; uninterrupted: $whole"
