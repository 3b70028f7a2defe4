# bench.sh - `descent bench`: the output format and its arithmetic on tiny
# sizes, and bad input. No timing is asserted (speed targets live in
# bench/vs-pytorch.sh): only that every number is there, positive, and
# consistent with the others (bytes = params x the rule's bytes per
# parameter, fraction = bytes / triad, GFLOP/s = FLOPs / seconds).
source "$(dirname "$0")/lib/common.bash"

# check_json PY_ASSERTIONS: runs Python assertions on the JSON object in $out (as d).
check_json() {
    python3 -c "import json, math, sys
d = json.loads(sys.stdin.read())
$1" <<<"$out" || fail "JSON check failed on: $out"
}

# optim, every rule: one object, all rules, consistent fields.
expect_exit 0 "$DESCENT" bench optim --params 5000 --reps 2 --threads 1 --json
check_json '
assert d["threads"] == 1 and d["params"] == 5000 and d["triad_bytes_per_s"] > 0
names = [o["name"] for o in d["optimizers"]]
assert names == ["sgd", "nag", "adagrad", "rmsprop", "rmsprop_nesterov", "adam", "adamw",
                 "adamax", "nadam", "radam", "adadelta", "lion", "linesearch"], names
# bytes per parameter each rule must move: x read + written, g read, 2 per state buffer
# (+4 for the second pass of look-ahead rules: x and velocity read, x0 and x written;
# +2 + 3 per candidate for line search)
want = {"sgd": 12, "adam": 28, "adamw": 28, "adagrad": 20, "lion": 20, "nag": 36,
        "rmsprop_nesterov": 44}
for o in d["optimizers"]:
    assert o["seconds_per_step"] > 0 and o["params_per_s"] > 0, o
    assert math.isclose(o["params_per_s"] * o["seconds_per_step"], 5000, rel_tol=1e-4), o
    per = o["bytes_per_s"] / o["params_per_s"]
    assert abs(per - round(per)) < 1e-3 and round(per) >= 12, o
    if o["name"] in want: assert round(per) == want[o["name"]], (o["name"], per)
    assert math.isclose(o["triad_fraction"], o["bytes_per_s"] / d["triad_bytes_per_s"],
                        rel_tol=1e-3), o
'

# optim, chosen specs, in the order given; the table form names them too.
expect_exit 0 "$DESCENT" bench optim --params 3000 --reps 1 --opt adam:amsgrad=1 --opt sgd:momentum=0.9 --json
check_json '
assert [o["name"] for o in d["optimizers"]] == ["adam", "sgd"]
per = [round(o["bytes_per_s"] / o["params_per_s"]) for o in d["optimizers"]]
assert per == [36, 20], per  # amsgrad keeps a third buffer; momentum one
'
expect_exit 0 "$DESCENT" bench optim --params 3000 --reps 1 --opt lion
expect_in "$out" "triad"
expect_in "$out" "lion"
[ "$(grep -c '%$' <<<"$out")" -eq 1 ] || fail "expected one optimizer row: $out"

# train on a generated set: FLOPs counted per layer (first layer has no input gradient).
expect_exit 0 "$DESCENT" bench train --data blobs:n=200,features=4,classes=3,test=50 \
    --model mlp:4-8-3 --epochs 2 --batch 16 --reps 1 --threads 1 --json
check_json '
assert d["threads"] == 1 and d["batch"] == 16 and d["epochs"] == 2 and d["examples"] == 400
assert d["flops_per_example"] == 4 * 4 * 8 + 6 * 8 * 3, d  # 272
assert 0 < d["best_epoch_seconds"] <= d["seconds"]
assert math.isclose(d["seconds_per_epoch"] * 2, d["seconds"], rel_tol=1e-4)
assert math.isclose(d["gflops"], 272 * 400 / d["seconds"] / 1e9, rel_tol=1e-3)
assert d["sgemm_gflops"] > 0 and 0 <= d["test_accuracy"] <= 1
# the products timed inside training: all of the run'"'"'s flops (no validation split), within it
assert 0 < d["product_seconds"] <= d["seconds"], d
assert math.isclose(d["product_gflops"] * d["product_seconds"] * 1e9, 272 * 400, rel_tol=1e-4), d
assert d["backend"] in ("onednn", "openblas") and "kernels" not in d, d
'
expect_exit 0 "$DESCENT" bench train --data blobs:n=100,features=2,classes=2 --model mlp:2-4-2 --reps 1
expect_in "$out" "GFLOP/s"
expect_in "$out" "backend "
# --verbose names the kernels: oneDNN's impl names (brg:..., gemm:...), else OpenBLAS's build
expect_exit 0 "$DESCENT" bench train --data blobs:n=100,features=2,classes=2 --model mlp:2-4-2 \
    --reps 1 --json --verbose
check_json '
want = {"onednn": "; kernels: ", "openblas": "OpenBLAS"}[d["backend"]]
assert want in d["kernels"], d
'

# Bad input: exit 2, a message naming what was wrong.
expect_exit 2 "$DESCENT" bench
expect_in "$err" "optim, train"
expect_exit 2 "$DESCENT" bench fast
expect_in "$err" "fast"
expect_exit 2 "$DESCENT" bench optim --params 0
expect_in "$err" "--params"
expect_exit 2 "$DESCENT" bench optim --params 100 --opt adamm
expect_in "$err" "adamm"
expect_exit 2 "$DESCENT" bench optim --reps 0
expect_in "$err" "--reps"
expect_exit 2 "$DESCENT" bench train --data blobs:n=50,features=3 --model mlp:4-8-3
expect_in "$err" "4"
expect_exit 0 "$DESCENT" bench --help
expect_in "$out" "triad"
echo "bench: formats and arithmetic checked"
