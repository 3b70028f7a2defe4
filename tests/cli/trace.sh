#!/usr/bin/env bash
# trace.sh - `descent trace` end to end: every reference case of
# tests/data/reference/{torch,lecture}/cases.csv through the real binary
# (every x, y, loss within 1e-3 * max(1, |reference|)), negative starts, the
# divergence exit, every kind of bad input (exit 2, one line on stderr naming
# the item, nothing on stdout) and --help.
source "$(dirname "$0")/lib/common.bash"
: "${DS_TEST_DATA:?run through ctest}"

# ---- reference cases (python3's csv handles the quoted specs; no torch needed) ----
python3 - "$DESCENT" "$DS_TEST_DATA/reference" <<'PY' || fail "reference cases differ"
import csv, os, subprocess, sys
descent, root = sys.argv[1], sys.argv[2]
bad = total = 0
for suite in ("torch", "lecture"):
    with open(os.path.join(root, suite, "cases.csv")) as f:
        cases = list(csv.DictReader(f))
    assert len(cases) > 0, suite
    for c in cases:
        total += 1
        cmd = [descent, "trace", "--fn", c["fn"], "--start", c["x0"] + "," + c["y0"],
               "--opt", c["opt"], "--steps", c["steps"]]
        if c["schedule"]:
            cmd += ["--schedule", c["schedule"]]
        run = subprocess.run(cmd, capture_output=True, text=True)
        with open(os.path.join(root, suite, c["id"] + ".csv")) as f:
            ref = list(csv.reader(f))
        ours = list(csv.reader(run.stdout.splitlines()))
        why = None
        if run.returncode != 0:
            why = "exit %d: %s" % (run.returncode, run.stderr.strip())
        elif ours[0] != ["step", "x", "y", "loss"] or len(ours) != len(ref):
            why = "header or row count (%d rows, reference %d)" % (len(ours), len(ref))
        else:
            for r, q in zip(ref[1:], ours[1:]):
                if r[0] != q[0]:
                    why = "step column %s vs %s" % (q[0], r[0])
                    break
                for name, a, b in zip(("x", "y", "loss"), q[1:], r[1:]):
                    if not abs(float(a) - float(b)) <= 1e-3 * max(1.0, abs(float(b))):
                        why = "step %s: %s = %s, reference %s" % (r[0], name, a, b)
                        break
                if why:
                    break
        if why:
            bad += 1
            print("%s/%s: %s" % (suite, c["id"], why), file=sys.stderr)
print("%d of %d reference cases match" % (total - bad, total))
sys.exit(1 if bad or total < 33 else 0)
PY

# ---- good input ----
expect_exit 0 "$DESCENT" trace --fn rosenbrock --start -1.5,2 --opt adam:lr=0.05 --steps 0
[ "$out" = "$(printf 'step,x,y,loss\n0,-1.5,2,12.5')" ] || fail "steps 0 / negative start: $out"
expect_exit 0 "$DESCENT" trace --fn=rosenbrock --start=-1.5,2 --opt=sgd:lr=0.001 --steps=2 \
    --schedule warmup:steps=2+cosine:period=5
[ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ] || fail "--key=value form: $out"
expect_in "$(printf '%s\n' "$out" | sed -n 2p)" "0,-1.5,2,"

# ---- divergence: GD on 0.1 x^2 + 2 y^2 diverges in y once lr > 2/4 ----
expect_exit 3 "$DESCENT" trace --fn quadratic --start -5,-2 --opt sgd:lr=10 --steps 500
rows=$(( $(printf '%s\n' "$out" | wc -l) - 1 ))
[ "$rows" -gt 1 ] && [ "$rows" -lt 501 ] || fail "divergence printed $rows rows"
expect_in "$err" "step $rows "
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "divergence: more than one stderr line: $err"
expect_exit 0 "$DESCENT" trace --fn quadratic --start -5,-2 --opt sgd:lr=0.49 --steps 500
# Adam at lr 1e38 makes inf - inf on Rosenbrock: a NaN whose sign bit is set,
# which printf writes "-nan"; the message says plain "nan".
expect_exit 3 "$DESCENT" trace --fn rosenbrock --start 1,1 --opt adam:lr=1e38 --steps 5
expect_in "$err" "(x = nan, y = nan)"
case $err in *-nan*) fail "signed NaN in: $err" ;; esac

# ---- bad input: exit 2, nothing on stdout, one line naming the item ----
bad() { # bad NEEDLE ARGS...: the run fails with status 2 and NEEDLE in its one-line message
    local needle=$1; shift
    expect_exit 2 "$DESCENT" trace "$@"
    [ -z "$out" ] || fail "'$*' wrote to stdout: $out"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "'$*': not one stderr line: $err"
    expect_in "$err" "$needle"
}
ok=(--fn neuron --start -2,-2 --steps 5)
bad "unknown function 'foo' (accepted: quadratic, rosenbrock" --fn foo --start 0,0 --opt sgd --steps 1
bad "foo" "${ok[@]}" --opt foo
bad "foo" "${ok[@]}" --opt sgd:foo=1
bad "lr" "${ok[@]}" --opt sgd:lr=abc
bad "lr" "${ok[@]}" --opt sgd:lr=-1
bad "beta1" "${ok[@]}" --opt adam:beta1=1
bad "beta2" "${ok[@]}" --opt adam:beta2=-0.1
bad "alpha" "${ok[@]}" --opt rmsprop:alpha=1.5
bad "eps" "${ok[@]}" --opt adam:eps=-1e-8
bad "--steps must be 0..10000000 (got -1)" --fn neuron --start -2,-2 --opt sgd --steps -1
bad "--steps expects an integer, got '1x'" --fn neuron --start -2,-2 --opt sgd --steps 1x
bad "--start expects X,Y" --fn neuron --start 1 --opt sgd --steps 1
bad "--start expects X,Y" --fn neuron --start 1,abc --opt sgd --steps 1
bad "--start expects X,Y" --fn neuron --start 1,2,3 --opt sgd --steps 1
bad "missing --fn" --start 0,0 --opt sgd --steps 1
bad "missing --start" --fn neuron --opt sgd --steps 1
bad "missing --opt" --fn neuron --start 0,0 --steps 1
bad "missing --steps" --fn neuron --start 0,0 --opt sgd
bad "--steps needs" --fn neuron --start 0,0 --opt sgd --steps
bad "unknown option '--foo'" "${ok[@]}" --opt sgd --foo 1
bad "unexpected argument 'extra'" "${ok[@]}" --opt sgd extra
bad "unknown schedule 'foo' (accepted: constant, step" "${ok[@]}" --opt sgd --schedule foo
bad "step: every must be a whole number > 0 (got 0)" "${ok[@]}" --opt sgd --schedule step:every=0
bad "not finite in float32" --fn neuron --start 1e300,0 --opt sgd --steps 1
# a key given twice in one spec is a typo (options may be repeated: the last
# one wins, so wrappers can append overrides)
bad "adam: lr given twice" "${ok[@]}" --opt adam:lr=1,lr=2
# a rejected spec names its option, as in every command
bad "descent trace: --opt: adam: beta2 must be in [0, 1) (got 1.5)" "${ok[@]}" --opt adam:beta2=1.5
bad "descent trace: --schedule: unknown schedule 'foo'" "${ok[@]}" --opt sgd --schedule foo

# ---- --help: every option, every function, every optimizer ----
expect_exit 0 "$DESCENT" trace --help
help=$out
expect_in "$help" "usage: descent trace"
expect_exit 0 "$DESCENT" help-options
opts=$(printf '%s\n' "$out" | awk '$1 == "trace" { print $2 }')
[ "$(printf '%s\n' "$opts" | wc -l)" -eq 7 ] || fail "help-options lists: $opts"
for opt in $opts; do
    expect_in "$help" "$opt "
done
for name in quadratic rosenbrock beale himmelblau booth saddle neuron \
    sgd nag adagrad rmsprop rmsprop_nesterov adam adamw adamax nadam radam adadelta lion linesearch; do
    expect_in "$help" " $name"
done
echo "trace.sh: all checks passed"
