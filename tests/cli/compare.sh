#!/usr/bin/env bash
# compare.sh - `descent compare` (doc/compare.md) on the tiny budget: the
# JSON has every problem x optimizer with the grid of `descent tune` (1e-4
# ... 1), the best rate is the grid's lowest validation loss, the seeds rerun
# it and seed 0 is the grid run; every seed's final numbers equal, bit for
# bit, those of `descent train` / `descent trace` run with the command the
# JSON records; two runs give the same JSON; the page is self-contained
# HTML with the figures of every problem; bad options exit 2 with one line
# and write nothing.
source "$(dirname "$0")/lib/common.bash"

data=blobs:n=600,features=4,classes=3,spread=2,test=200
common=(--budget tiny --problems quadratic_deep,rosenbrock,branin,custom --model mlp:4-3
        --data "$data" --opt sgd --opt adam:beta1=0.8)
quiet "$DESCENT" compare "${common[@]}" --json a.json -o page.html >summary.txt
grep -q "^custom" summary.txt || fail "summary has no custom problem: $(cat summary.txt)"
grep -q "performance profile" summary.txt || fail "summary has no profile: $(cat summary.txt)"

# the structure, the protocol, and one command per seed to rerun directly
python3 - a.json >direct.txt <<'PY' || fail "a.json: $(head -c 2000 a.json)"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["budget"] == "tiny" and d["seeds"] == 2, d["budget"]
names = [p["problem"] for p in d["problems"]]
assert names == ["quadratic_deep", "rosenbrock", "branin", "custom"], names
for p in d["problems"]:
    assert [o["optimizer"] for o in p["optimizers"]] == ["sgd", "adam:beta1=0.8"]
    for o in p["optimizers"]:
        lrs = [g["lr"] for g in o["grid"]]
        assert lrs == [1e-4, 1e-3, 1e-2, 1e-1, 1.0], lrs
        ok = [g for g in o["grid"] if not g["diverged"]]
        if not ok:
            assert o["best_lr"] is None and o["seeds"] == [], o
            continue
        best = min(ok, key=lambda g: g["rank_loss"])
        assert o["best_lr"] == best["lr"], (o["best_lr"], best)
        assert [s["seed"] for s in o["seeds"]] == [0, 1], o["seeds"]
        s0 = dict(o["seeds"][0]); s0.pop("curve")
        assert s0 == best, (s0, best)
        for s in o["seeds"]:
            assert s["lr"] == o["best_lr"] and len(s["curve"]) == p["epochs"]
            assert not s["diverged"]
            if p["command"] is None:
                continue
            name = o["optimizer"]
            spec = name + ("," if ":" in name else ":") + "lr=" + repr(s["lr"])
            cmd = p["command"] + ["--opt", spec, "--seed", str(s["seed"])]
            if cmd[0] == "train":
                cmd.append("--json")
            print(json.dumps({"cmd": cmd, "run": s, "metric": p["metric"]}))
PY
[ "$(wc -l <direct.txt)" -ge 8 ] || fail "too few direct reruns: $(cat direct.txt)"
while IFS= read -r line; do
    mapfile -t argv < <(python3 -c 'import json,sys; [print(a) for a in json.loads(sys.argv[1])["cmd"]]' "$line")
    "$DESCENT" "${argv[@]}" >direct.out 2>direct.err || fail "'${argv[*]}': $(cat direct.err)"
    python3 - "$line" direct.out <<'PY' || fail "compare and a direct run differ: ${argv[*]}"
import json, sys
want = json.loads(sys.argv[1])
run, out = want["run"], open(sys.argv[2]).read()
if want["cmd"][0] == "train":
    got = json.loads(out)
    for key in ("train_loss", "test_loss", "test_accuracy"):
        assert got[key] == run[key], (key, got[key], run[key])
    assert got["val_loss"] == run["rank_loss"], (got["val_loss"], run["rank_loss"])
else:  # trace: the last row's loss is the noise-free function at the end
    last = out.strip().split("\n")[-1].split(",")
    assert float(last[3]) == run["test_loss"], (last, run["test_loss"])
PY
done <direct.txt

# deterministic: the same JSON again
quiet "$DESCENT" compare "${common[@]}" --json b.json >summary2.txt
cmp a.json b.json || fail "two runs of the same study differ"

# the page: self-contained, one section per problem, each figure kind
python3 - page.html <<'PY' || fail "page.html"
import re, sys
html = open(sys.argv[1]).read()
assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
assert not re.search(r'(src|href)="(https?:)?//', html), "external reference"
assert "<script" not in html
for p in ("quadratic_deep", "rosenbrock", "branin", "custom"):
    assert 'data-problem="%s"' % p in html, p
for kind in ("curves", "sensitivity", "final", "target", "profile"):
    assert 'data-name="%s' % kind in html, kind
PY

# ---- bad input: exit 2, one line naming the item, nothing written ----
bad() { # bad NEEDLE ARGS...
    local needle=$1; shift
    expect_exit 2 "$DESCENT" compare "$@" -o bad.html --json bad.json --resume badstate
    [ -z "$out" ] || fail "'$*' wrote to stdout: $out"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "'$*': not one stderr line: $err"
    expect_in "$err" "$needle"
    [ ! -e bad.html ] && [ ! -e bad.json ] && [ ! -e badstate ] || fail "'$*' wrote a file"
}
bad "unknown problem 'mnist'" --budget tiny --problems mnist
bad "adamx" --budget tiny --problems rosenbrock --opt adamx
bad "--seeds must be 1..16 (got 0)" --budget tiny --problems rosenbrock --seeds 0
bad "--budget must be tiny, small, medium or full (got 'huge')" --budget huge
bad "leave lr out" --budget tiny --problems rosenbrock --opt adam:lr=0.1
bad "--problems custom needs --model and --data" --budget tiny --problems custom
# --resume naming a file: refused before any run, the file untouched
printf 'keep\n' >afile
expect_exit 2 "$DESCENT" compare --budget tiny --problems rosenbrock --opt adam --resume afile
expect_in "$err" "--resume afile is not a folder"
[ "$(cat afile)" = keep ] || fail "--resume afile changed the file"
echo "compare: ok"
