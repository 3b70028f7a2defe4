# plot.sh - `descent plot`: every figure kind is well-formed SVG (parsed by
# Python's XML parser) with the content it promises: one trajectory per
# --opt inside the plot area, legend entries naming each spec, the surface's
# mesh, the animation elements, one loss series per optimizer, one series
# per log file in each panel; and bad input exits 2 naming the item,
# creating no file and leaving an existing one untouched.
source "$(dirname "$0")/lib/common.bash"

# check_svg FILE PYTHON: parses FILE, runs the Python checks with `root`
# (the <svg> element), `q(tag)` (all elements of that tag) and `cls(tag, c)`
# (those of class c) defined; an assertion failure fails the test.
check_svg() {
    python3 - "$1" "$2" <<'EOF' || fail "checks on $1 failed"
import re, sys, xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == NS + 'svg', root.tag
def q(tag): return list(root.iter(NS + tag))
def cls(tag, c): return [e for e in q(tag) if e.get('class') == c]
def nums(d): return [float(v) for v in re.findall(r'-?\d+(?:\.\d+)?', d)]
def texts(): return ' '.join(''.join(t.itertext()) for t in q('text'))
def plot_area():
    r = q('clipPath')[0].find(NS + 'rect')
    x, y, w, h = (float(r.get(k)) for k in ('x', 'y', 'width', 'height'))
    return x, y, x + w, y + h
def inside(d, area, eps=0.011):
    v = nums(d)
    x0, y0, x1, y1 = area
    return all(x0 - eps <= x <= x1 + eps and y0 - eps <= y <= y1 + eps
               for x, y in zip(v[0::2], v[1::2]))
exec(sys.argv[2])
EOF
    if command -v xmllint >/dev/null; then xmllint --noout "$1" || fail "xmllint rejects $1"; fi
}

specs=(gd:lr=0.001 momentum:lr=0.001 nag:lr=0.001 adam:lr=0.05)
opts=()
for s in "${specs[@]}"; do opts+=(--opt "$s"); done

# Contour map: trajectories, markers, minimum, legend, axes.
expect_exit 0 "$DESCENT" plot --fn rosenbrock "${opts[@]}" --start -1.5,2 --steps 300 -o map.svg
check_svg map.svg "
paths = cls('path', 'trajectory')
assert len(paths) == ${#specs[@]}, len(paths)
area = plot_area()
for p in paths: assert len(nums(p.get('d'))) >= 20 and inside(p.get('d'), area)
assert len(cls('path', 'contour')) >= 10
assert len(cls('polygon', 'minimum')) == 1
assert len(cls('circle', 'start')) == ${#specs[@]} and len(cls('circle', 'end')) >= 1
legend = [''.join(t.itertext()) for g in cls('g', 'legend') for t in g.iter(NS + 'text')]
for s in '${specs[*]}'.split(): assert s in legend, (s, legend)
assert 'x' in texts().split() and 'y' in texts().split()
assert not q('animate')
"

# A path that leaves a small window is cut at its edge, never drawn outside.
expect_exit 0 "$DESCENT" plot --fn quadratic --opt gd:lr=0.6 --opt sgd:lr=0.1 --start 2,1 \
    --steps 40 --window -1,3,-0.5,0.5 --output clip.svg
check_svg clip.svg "
paths = cls('path', 'trajectory')
assert len(paths) == 2
area = plot_area()
for p in paths: assert inside(p.get('d'), area), p.get('d')
assert paths[0].get('d').count('M') >= 1
"

# Surface: a mesh of many polygons with the paths lifted onto it.
expect_exit 0 "$DESCENT" plot --fn himmelblau --opt gd:lr=0.01 --opt adam:lr=0.1 --start 0,0 \
    --steps 100 --view surface --angle -60,40 -o surface.svg
check_svg surface.svg "
assert len(q('polygon')) > 500, len(q('polygon'))
assert len(cls('path', 'trajectory')) == 2
w, h = float(root.get('width')), float(root.get('height'))
for p in cls('path', 'trajectory'):
    v = nums(p.get('d')); assert v and all(0 <= a <= w for a in v[0::2]) and all(0 <= b <= h for b in v[1::2])
"

# Animation: per optimizer a marker with cx and cy animations in step.
expect_exit 0 "$DESCENT" plot --fn beale --opt gd:lr=0.001 --opt adam:lr=0.05 --opt nag:lr=0.001 \
    --start 1,1.5 --steps 400 --animate -o anim.svg
check_svg anim.svg "
an = q('animate')
assert len(an) == 6, len(an)
assert {a.get('attributeName') for a in an} == {'cx', 'cy'}
for a in an:
    assert a.get('repeatCount') == 'indefinite'
    k, v = a.get('keyTimes').split(';'), a.get('values').split(';')
    assert len(k) == len(v) > 100 and float(k[0]) == 0 and float(k[-1]) == 1
    assert all(float(a) < float(b) for a, b in zip(k, k[1:]))
assert len({a.get('keyTimes') for a in an}) == 1
"

# Loss per step: one series per optimizer; the saddle's negative loss works.
expect_exit 0 "$DESCENT" plot --fn saddle --opt gd:lr=0.05 --opt adam:lr=0.05 --start -1.5,0.001 \
    --steps 100 --loss -o loss.svg
check_svg loss.svg "
s = cls('path', 'series')
assert len(s) == 2 and all(len(nums(p.get('d'))) >= 100 for p in s)
assert 'step' in texts()
"
# A loss spanning many decades gets a log axis: its ticks are powers of ten.
expect_exit 0 "$DESCENT" plot --fn quadratic --opt gd:lr=0.4 --start 3,1 --steps 100 --loss -o lossl.svg
check_svg lossl.svg "
import math
ticks = [float(t.text) for g in cls('g', 'axes') for t in g.iter(NS + 'text')
         if t.get('text-anchor') == 'end' and t.text]
assert len(ticks) >= 3 and all(abs(math.log10(t) - round(math.log10(t))) < 1e-9 for t in ticks), ticks
"

# Training logs: four panels, one series per file in each, file names in the legend.
h=epoch,step,lr,train_loss,val_loss,val_accuracy,seconds
printf '%s\n1,100,0.1,0.9,0.8,0.7,1.5\n2,200,0.05,0.5,0.55,0.8,3\n3,300,0.025,0.3,0.45,0.85,4.5\n' $h >run_a.csv
printf '%s\n1,100,0.01,1.9,,,1.5\n2,200,0.01,0.7,,,3\n' $h >run_b.csv
expect_exit 0 "$DESCENT" plot --log run_a.csv run_b.csv -o logs.svg
check_svg logs.svg "
panels = cls('g', 'panel')
assert len(panels) == 4
for p in panels: assert len([e for e in p.iter(NS + 'path') if e.get('class') == 'series']) == 2
legend = ' '.join(''.join(t.itertext()) for g in cls('g', 'legend') for t in g.iter(NS + 'text'))
assert 'run_a.csv' in legend and 'run_b.csv' in legend
"
# The epoch axes tick whole epochs only (no 1.5); the learning rate gets a
# log axis once the rates span more than a decade (0.1 ... 0.001 here, two
# decades: the loss panels' AUTO rule would still draw it linear).
printf '%s\n1,10,0.1,0.9,0.8,0.7,1\n2,20,0.01,0.5,0.5,0.8,2\n3,30,0.001,0.4,0.4,0.9,3\n' $h >run_c.csv
for f in run_a.csv run_c.csv; do
    expect_exit 0 "$DESCENT" plot --log run_b.csv $f -o ticks.svg
    check_svg ticks.svg "
import math
def ticks(panel, anchor):
    out = []
    for g in panel.iter(NS + 'g'):
        if g.get('class') != 'axes': continue
        for t in g.iter(NS + 'text'):
            try:
                if t.get('text-anchor') == anchor: out.append(float(t.text))
            except (TypeError, ValueError): pass
    return out
panels = cls('g', 'panel')
for p in panels:
    x = ticks(p, 'middle')
    assert x and all(v == int(v) for v in x), x
lr = ticks(panels[3], 'end')
decades = all(v > 0 and abs(math.log10(v) - round(math.log10(v))) < 1e-9 for v in lr)
assert len(lr) >= 3 and decades == ('$f' == 'run_c.csv'), lr
" || fail "--log ticks with $f"
done

# Bad input: exit 2, one line naming the item, no file written or clobbered.
bad() {
    local needle=$1; shift
    rm -f bad.svg
    expect_exit 2 "$DESCENT" plot "$@"
    expect_in "$err" "$needle"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "more than one error line: $err"
    [ ! -e bad.svg ] || fail "'$*' created bad.svg"
    grep -q '\.tmp\.' <<<"$(ls)" && fail "'$*' left a temporary file" || true
}
base=(--start 1,1 --steps 10 -o bad.svg)
bad nope --fn nope --opt gd "${base[@]}"
bad frobnicate --fn booth --opt frobnicate "${base[@]}"
bad "descent plot: --opt: adam: beta2 must be in [0, 1) (got 1.5)" --fn booth --opt gd \
    --opt adam:beta2=1.5 "${base[@]}"
bad "descent plot: --schedule: unknown schedule 'foo'" --fn booth --opt gd --schedule foo "${base[@]}"
bad window --fn booth --opt gd --window 1,0,0,1 "${base[@]}"
bad output --fn booth --opt gd --start 1,1
bad --opt --fn booth "${base[@]}"
bad steps --fn booth --opt gd --start 1,1 --steps -1 -o bad.svg
bad view --fn booth --opt gd --view cube "${base[@]}"
# 0 is out of range too, not "use the default"
bad "--levels must be 1..256 (got 0)" --fn booth --opt gd --levels 0 "${base[@]}"
bad "--width must be 100..20000 (got 0)" --fn booth --opt gd --width 0 "${base[@]}"
bad "--height must be 100..20000 (got 0)" --fn booth --opt gd --height 0 "${base[@]}"
bad start --fn booth --opt gd --start 1 -o bad.svg
bad "folder 'no/such' does not exist" --fn booth --opt gd --start 1,1 -o no/such/bad.svg
printf '%s\n1,100,0.1,0.9,0.8,0.7,1.5\n2,200,oops,0.5,0.55,0.8,3\n' $h >broken.csv
bad broken.csv:3 --log run_a.csv broken.csv -o bad.svg
bad run_a.csv --fn booth --opt gd run_a.csv "${base[@]}"
echo keep >kept.svg
expect_exit 2 "$DESCENT" plot --fn nope --opt gd --start 1,1 -o kept.svg
[ "$(cat kept.svg)" = keep ] || fail "bad input clobbered an existing output"
# --help shows the short alias with its long option.
expect_exit 0 "$DESCENT" plot --help
expect_in "$out" "-o, --output FILE"
echo "plot: all checks passed"
