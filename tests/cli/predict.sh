# predict.sh - `descent predict`: one output row per input row, in order;
# the classes score exactly eval's accuracy; a CSV with or without its
# label column, gzip, a stream file and a generated set give the same
# predictions for the same rows; the block size changes nothing; JSON
# carries the CSV's numbers; regression prints the outputs; bad rows,
# widths and options are refused with file:line:column, exit status 2 and
# nothing written (an existing output untouched, nothing on stdout).
source "$(dirname "$0")/lib/common.bash"
T="$DS_TEST_DATA/train"

quiet "$DESCENT" train --data "csv:$T/blobs.csv" --model mlp:2-8-3 --epochs 20 --batch 8 \
    --opt adam:lr=0.05 --save m.ckpt >/dev/null
rows=$(($(wc -l <"$T/blobs.csv") - 1))

"$DESCENT" predict --model-file m.ckpt --data "$T/blobs.csv" -o with.csv
[ "$(head -1 with.csv)" = class ] || fail "header: $(head -1 with.csv)"
[ "$(($(wc -l <with.csv) - 1))" = "$rows" ] || fail "one row per input row: $(wc -l <with.csv)"
# the accuracy of these classes is eval's, exactly
"$DESCENT" eval --model-file m.ckpt --data "csv:$T/blobs.csv" --json >e.json
python3 - "$T/blobs.csv" with.csv e.json <<'PY' || fail "predict's classes against eval's accuracy"
import csv, json, sys
labels = [int(r["label"]) for r in csv.DictReader(open(sys.argv[1]))]
pred = [int(r["class"]) for r in csv.DictReader(open(sys.argv[2]))]
acc = json.load(open(sys.argv[3]))["test_accuracy"]
right = sum(p == y for p, y in zip(pred, labels))
assert len(pred) == len(labels) and right / len(labels) == acc and acc > 0.8, (right, acc)
PY

# without the label column, gzip, csv:PATH: the same; --proba sums to 1
cut -d, -f1-2 "$T/blobs.csv" >nolabel.csv
gzip -c "$T/blobs.csv" >blobs.csv.gz
"$DESCENT" predict --model-file m.ckpt --data nolabel.csv --proba -o p.csv
"$DESCENT" predict --model-file m.ckpt --data "csv:blobs.csv.gz" >gz.csv
cmp -s with.csv gz.csv || fail "gzip input predicts differently"
[ "$(cut -d, -f1 p.csv)" = "$(cat with.csv)" ] || fail "without the label: other classes"
[ "$(head -1 p.csv)" = "class,prob_0,prob_1,prob_2" ] || fail "proba header: $(head -1 p.csv)"
awk -F, 'NR > 1 && (($2 + $3 + $4 - 1)^2 > 1e-10 || $1 != ($2 >= $3 && $2 >= $4 ? 0 : $3 >= $4 ? 1 : 2)) { exit 1 }' p.csv ||
    fail "probabilities: $(sed -n 2,3p p.csv)"
# a block of 7 rows: the same classes and (to float rounding) probabilities
"$DESCENT" predict --model-file m.ckpt --data nolabel.csv --proba --block 7 --threads 1 -o p7.csv
paste -d, p.csv p7.csv | awk -F, 'NR > 1 { for (j = 2; j <= 4; j++) if (($j - $(j + 4))^2 > 1e-12 || $1 != $5) exit 1 }' ||
    fail "--block 7 differs"

# JSON: the same numbers
"$DESCENT" predict --model-file m.ckpt --data nolabel.csv --proba --format json -o p.json
python3 - p.json p.csv <<'PY' || fail "JSON differs from CSV"
import csv, json, sys
js = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2])))[1:]
assert len(js) == len(rows)
for j, r in zip(js, rows):
    assert j["class"] == int(r[0]) and j["proba"] == [float(v) for v in r[1:]], (j, r)
PY

# a stream file and the generated set it equals: the same predictions
quiet "$DESCENT" gen blobs --rows 5000 --features 2 --classes 3 -o s.ds >/dev/null
"$DESCENT" predict --model-file m.ckpt --data stream:s.ds --block 1000 -o s.csv
"$DESCENT" predict --model-file m.ckpt --data blobs:n=5000,features=2,classes=3 --block 1000 -o g.csv
[ "$(wc -l <s.csv)" = 5001 ] || fail "stream: $(wc -l <s.csv) lines"
cmp -s s.csv g.csv || fail "stream file and generated set predict differently"

# regression: the outputs
quiet "$DESCENT" train --data linear:n=200,features=3 --model mlp:3-4-1 --loss mse --epochs 5 \
    --save r.ckpt >/dev/null
"$DESCENT" predict --model-file r.ckpt --data linear:n=200,features=3 -o r.csv
[ "$(head -1 r.csv)" = output ] && [ "$(wc -l <r.csv)" = 201 ] || fail "regression: $(head -2 r.csv)"
awk 'NR > 1 && $1 !~ /^-?[0-9.e+-]+$/ { exit 1 }' r.csv || fail "regression outputs: $(sed -n 2p r.csv)"

# bad input: exit 2, a message with file:line:column, nothing written
echo keep >out.csv
printf 'x1,x2\n1,2\n3,abc\n' >bad.csv
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data bad.csv -o out.csv
expect_in "$err" "bad.csv:3:3: not a number"
[ "$(cat out.csv)" = keep ] || fail "a bad row changed the output file"
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data bad.csv
[ -z "$out" ] || fail "a bad row reached standard output: $out"
printf '1,2\n3,4,5\n' >wide.csv
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data wide.csv
expect_in "$err" "wide.csv:2:5: row has 3 fields, expected 2"
printf '1,2\n\n3,4\n' >blank.csv
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data blank.csv
expect_in "$err" "blank.csv:2:1: blank line"
printf '1,2,3,4\n' >four.csv
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data four.csv
expect_in "$err" "four.csv:1: 4 columns, but the model takes 2 inputs"
printf 'a,b\n' >header.csv
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data header.csv
expect_in "$err" "header only"
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data linear:n=20,features=5
expect_in "$err" "the model takes 2 inputs"
expect_exit 2 "$DESCENT" predict --model-file missing.ckpt --data nolabel.csv
expect_in "$err" "missing.ckpt"
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data nolabel.csv --format xml
expect_in "$err" "accepted: csv, json"
expect_exit 2 "$DESCENT" predict --model-file m.ckpt --data nolabel.csv -o nolabel.csv
expect_in "$err" "refusing"
expect_exit 2 "$DESCENT" predict --data nolabel.csv
expect_in "$err" "--model-file"
[ "$(cat out.csv)" = keep ] || fail "output file changed"
echo "ok"
