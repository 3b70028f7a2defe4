# examples.sh - the programs under examples/ build and do what they say:
# neuron_optim reaches the lecture's (w, b) ~ (1.78, -2.27) by plain GD and
# by Nesterov (look-ahead through the objective callback); mlp_csv learns
# the separable blobs CSV through the training API and saves a checkpoint
# that `descent eval` reads; cnn_safetensors trains a small CNN on 1000
# Fashion-MNIST images, and the safetensors file it writes gives a fresh
# model the same test accuracy.
source "$(dirname "$0")/lib/common.bash"
EX="$DS_BUILD_DIR/examples"

# check_neuron LINE: "w W b B loss L steps N" near the lecture's minimum.
check_neuron() {
    echo "$1" | awk '{ if ($1 != "w" || ($2 - 1.78)^2 > 0.0004 || ($4 + 2.27)^2 > 0.0004 || $6 > 1e-6) exit 1 }' ||
        fail "neuron_optim: $1"
}
line=$("$EX/neuron_optim")
check_neuron "$line"
expect_in "$line" "steps 1000"
line=$("$EX/neuron_optim" nag:lr=1,momentum=0.9 300)
check_neuron "$line"
expect_in "$line" "steps 300"
expect_exit 1 "$EX/neuron_optim" "sgd:lr=-1"
expect_in "$err" "lr"

out=$("$EX/mlp_csv" "$DS_TEST_DATA/train/blobs.csv" 20 model.ckpt)
[ "$(echo "$out" | grep -c '^epoch ')" = 20 ] || fail "mlp_csv: expected 20 epoch lines: $out"
echo "$out" | awk '/^accuracy/ { found = 1; if ($2 < 0.9) exit 1 } END { if (!found) exit 1 }' ||
    fail "mlp_csv: accuracy below 0.9: $out"
"$DESCENT" eval --model-file model.ckpt --data "csv:$DS_TEST_DATA/train/blobs.csv" >/dev/null ||
    fail "descent eval cannot read mlp_csv's checkpoint"
expect_exit 1 "$EX/mlp_csv" missing.csv
expect_in "$err" "missing.csv"

# predict: the inference API on mlp_csv's model; rows from blobs.csv
# without their label
tail -n +2 "$DS_TEST_DATA/train/blobs.csv" | cut -d, -f1-2 >rows.csv
"$EX/predict" model.ckpt <rows.csv >pred.txt
[ "$(wc -l <pred.txt)" = "$(wc -l <rows.csv)" ] || fail "predict: one line per row: $(wc -l <pred.txt)"
awk 'NF != 4 || $1 !~ /^[0-2]$/ || ($2 + $3 + $4 - 1)^2 > 1e-8 { exit 1 }' pred.txt ||
    fail "predict: class and 3 probabilities summing to 1: $(head -3 pred.txt)"
echo "1,x" >bad.csv
expect_exit 2 "$EX/predict" model.ckpt <bad.csv
expect_in "$err" "line 1"
expect_exit 1 "$EX/predict" missing.ckpt
expect_in "$err" "missing.ckpt"
echo "ok"

out=$("$EX/cnn_safetensors" cnn.safetensors 1000 1) || fail "cnn_safetensors: $out"
echo "$out" | awk '/^accuracy/ { a = $2 } /^reloaded/ { b = $2 } END { if (a < 0.5 || a != b) exit 1 }' ||
    fail "cnn_safetensors: accuracy below 0.5 or not kept by the file: $out"
[ -s cnn.safetensors ] || fail "cnn_safetensors wrote no file"
