#!/usr/bin/env bash
# tune.sh - `descent tune` end to end on a small generated set: the table has
# every trial of the log-scale sweep and of the finer search (best/2, 2 best,
# 3 best), the printed best rate is the trial with the lowest validation loss
# and lies strictly inside the sweep, --plot writes a well-formed SVG, a run
# is reproducible, and bad input exits 2 with one line and no file.
source "$(dirname "$0")/lib/common.bash"

common=(--data blobs:n=600,features=4,classes=3,spread=2 --model mlp:4-3 --opt sgd --batch 16
        --epochs-per-trial 2 --threads 1)
expect_exit 0 "$DESCENT" tune "${common[@]}" --plot rate.svg
printf '%s\n' "$out" >table.txt
python3 - table.txt <<'PY' || fail "tune table: $out"
import sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[0].split() == ["lr", "train_loss", "val_loss", "val_accuracy"], lines[0]
rows = [l.split() for l in lines[1:] if l and not l.startswith("best")]
lrs = [float(r[0]) for r in rows]
assert lrs[:5] == [1e-4, 1e-3, 1e-2, 1e-1, 1.0], lrs
assert len(rows) == 8, rows
ok = [r for r in rows if r[1] != "diverged"]
coarse_best = min((r for r in ok[:5] if float(r[0]) in lrs[:5]), key=lambda r: float(r[2]))
b = float(coarse_best[0])
assert all(abs(x - y) < 1e-12 * y for x, y in zip(lrs[5:], [b / 2, 2 * b, 3 * b])), (lrs[5:], b)
best_line = [l for l in lines if l.startswith("best lr ")]
assert len(best_line) == 1, lines
best = float(best_line[0].split()[2])
assert best == float(min(ok, key=lambda r: float(r[2]))[0]), (best, ok)
assert 1e-4 < best < 1.0, best
for r in ok:
    assert 0 <= float(r[3]) <= 1 and float(r[2]) > 0, r
    # losses are printed with %g: 6 significant digits, however large
    assert all("%g" % float(v) == v for v in r[1:3]), r
print("best", best)
PY
python3 -c "import xml.etree.ElementTree as E,sys; E.parse(sys.argv[1])" rate.svg || fail "rate.svg is not XML"
grep -q "learning rate" rate.svg || fail "rate.svg has no rate axis"
grep -q "finer search" rate.svg || fail "rate.svg has no finer-search series"
expect_exit 0 "$DESCENT" tune "${common[@]}"
[ "$out" = "$(cat table.txt)" ] || fail "two runs differ"

# --lrs and --coarse-only: exactly the given rates
expect_exit 0 "$DESCENT" tune "${common[@]}" --lrs 0.003/0.03 --coarse-only
[ "$(printf '%s\n' "$out" | awk 'NR > 1 && $1 != "best" { print $1 }' | tr '\n' ' ')" = "0.003 0.03 " ] ||
    fail "--lrs/--coarse-only: $out"

# the finer search skips a rate the sweep already tried: around 0.1 it
# would try 0.2 again, around 0.2 it would try 0.1 again
expect_exit 0 "$DESCENT" tune "${common[@]}" --lrs 0.1/0.2
rates=$(printf '%s\n' "$out" | awk 'NR > 1 && $1 != "best" { print $1 }')
[ "$(printf '%s\n' "$rates" | wc -l)" -eq 4 ] || fail "--lrs 0.1/0.2 then finer: $out"
[ -z "$(printf '%s\n' "$rates" | sort | uniq -d)" ] || fail "a rate tried twice: $out"

# ---- bad input: exit 2, one line on stderr naming the item, no output file ----
bad() { # bad NEEDLE ARGS...
    local needle=$1; shift
    expect_exit 2 "$DESCENT" tune "$@"
    [ -z "$out" ] || fail "'$*' wrote to stdout: $out"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "'$*': not one stderr line: $err"
    expect_in "$err" "$needle"
}
bad "--lrs expects rates > 0" "${common[@]}" --lrs 0.1/abc --plot bad.svg
bad "--lrs expects rates > 0" "${common[@]}" --lrs 0.1/-1
bad "--lrs expects A/B" "${common[@]}" --lrs /
bad "empty rate in '0.1//1'" "${common[@]}" --lrs 0.1//1
bad "empty rate in '0.1/'" "${common[@]}" --lrs 0.1/
bad "--epochs must be >= 1" "${common[@]}" --epochs 0
bad "--val must be in [0, 1)" "${common[@]}" --val 1
bad "folder 'no/such' does not exist" "${common[@]}" --plot no/such/rate.svg
bad "inputs" --data blobs:n=100 --model mlp:5-3 --plot bad.svg
bad "relux" "${common[@]}" --act relux
bad "foo" "${common[@]}" --opt foo
bad "unknown option '--foo'" "${common[@]}" --foo
[ ! -e bad.svg ] || fail "bad input wrote bad.svg"

expect_exit 0 "$DESCENT" tune --help
for opt in model data opt batch lrs epochs-per-trial plot val; do expect_in "$out" "--$opt "; done
echo "tune.sh: all checks passed"
