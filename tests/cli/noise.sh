#!/usr/bin/env bash
# noise.sh - `--noise SIGMA --seed S` on trace and plot: the same seed
# prints the same path byte for byte, another seed another path, sigma 0
# the noiseless one; the loss column stays the function's value at the
# point; bad values are refused with exit 2 and nothing on stdout.
source "$(dirname "$0")/lib/common.bash"
args=(--fn rosenbrock --start -1.5,2 --opt sgd:lr=0.001,momentum=0.9 --steps 100)

expect_exit 0 "$DESCENT" trace "${args[@]}" --noise 1 --seed 3
a=$out
expect_exit 0 "$DESCENT" trace "${args[@]}" --noise 1 --seed 3
[ "$out" = "$a" ] || fail "the same seed gave another path"
expect_exit 0 "$DESCENT" trace "${args[@]}" --noise 1 --seed 4
[ "$out" != "$a" ] || fail "another seed gave the same path"
expect_exit 0 "$DESCENT" trace "${args[@]}"
plain=$out
[ "$plain" != "$a" ] || fail "noise changed nothing"
expect_exit 0 "$DESCENT" trace "${args[@]}" --noise 0 --seed 3
[ "$out" = "$plain" ] || fail "--noise 0 is not the noiseless path"
# the loss column is f at the printed point, without noise
python3 - <<PY || fail "a loss is not rosenbrock's value at its point"
rows = """$a""".split()[1:]
for r in rows:
    t, x, y, loss = r.split(",")
    x, y = float(x), float(y)
    want = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    assert abs(float(loss) - want) <= 1e-6 * max(1, want), (r, want)  # x, y printed to 9 digits
PY

expect_exit 0 "$DESCENT" plot "${args[@]}" --noise 1 --seed 3 -o noisy.svg
grep -q 'gradient noise' noisy.svg || fail "the plot's title does not say noise"

for bad in "--noise -1" "--noise nan" "--noise abc" "--seed -2 --noise 1"; do
    # shellcheck disable=SC2086
    expect_exit 2 "$DESCENT" trace "${args[@]}" $bad
    [ -z "$out" ] || fail "trace $bad wrote to stdout"
    expect_in "$err" "--"
done
expect_exit 2 "$DESCENT" trace "${args[@]}" --noise -1
expect_in "$err" "--noise must be >= 0 (got -1)"
