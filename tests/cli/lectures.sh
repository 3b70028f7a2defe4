#!/usr/bin/env bash
# lectures.sh - `descent lectures -o report.html` end to end: the page is
# well-formed HTML whose every <svg> parses as XML; it has the 11 sections in
# the lectures' order, each with its figures and captions; trajectories, an
# animation and no external reference; the numbers the captions state (also
# in data-* attributes) support what the lectures claim. Then bad input:
# exit 2, nothing written, an existing file left untouched.
source "$(dirname "$0")/lib/common.bash"

expect_exit 0 "$DESCENT" lectures -o report.html
expect_in "$out" "wrote report.html: 11 sections"
[ -s report.html ] || fail "report.html missing or empty"

python3 - report.html <<'PY' || fail "report content"
import html.parser, re, sys, xml.etree.ElementTree as ET
page = open(sys.argv[1], encoding="utf-8").read()
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)

# ---- well-formed: tags balance (html.parser), every SVG is XML ----
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "wbr", "source"}
class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.bad.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
t = Tags()
t.feed(page)
t.close()
check(not t.bad, "unbalanced tags: %s" % t.bad[:3])
check(not t.stack, "unclosed tags: %s" % t.stack[:5])
check(page.startswith("<!DOCTYPE html>"), "doctype")
svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
for i, s in enumerate(svgs):
    try:
        ET.fromstring(s)
    except ET.ParseError as e:
        errors.append("svg %d is not XML: %s" % (i, e))

# ---- self-contained: no external reference, no script ----
ext = [u for u in re.findall(r"https?://[^\s\"'<>)]+", page) if u != "http://www.w3.org/2000/svg"]
check(not ext, "external references: %s" % ext[:3])
check("<script" not in page.lower(), "script element")
# Local references only, but for the links that open an experiment in
# explorer.html, written beside the report (followed on a click, never loaded).
for attr in re.findall(r"(?:href|src)=\"([^\"]*)\"", page):
    check(attr.startswith("#") or attr.startswith("explorer.html#"), "non-local reference %s" % attr)
for attr in re.findall(r"href=\"(explorer\.html#[^\"]*)\"", page):
    check(re.fullmatch(r"explorer\.html#fn=[a-z]+&amp;start=[-0-9.e,]+&amp;steps=[0-9]+(&amp;opt=[a-z0-9_:=.,]+)+", attr), "explorer link %s" % attr)

# ---- 11 sections in order, each with an intro, figures and captions ----
sections = re.findall(r'<section class="experiment" id="s(\d+)" data-index="(\d+)">(.*?)</section>', page, re.S)
check([int(s[1]) for s in sections] == list(range(1, 12)), "sections: %s" % [s[1] for s in sections])
titles = [re.search(r"<h2>(.*?)</h2>", s[2]).group(1) for s in sections]
for i, word in enumerate(["neuron", "plateau", "Nesterov", "mini-batch", "Sparse", "quadratic",
                          "Line search", "schedules", "weighted averages", "log scale", "Adam"]):
    check(i < len(titles) and word in titles[i], "section %d title %r lacks %r" % (i + 1, titles[i] if i < len(titles) else None, word))
want_figs = [3, 2, 3, 2, 2, 2, 2, 3, 2, 2, 3]
for i, s in enumerate(sections):
    figs = re.findall(r"<figure\b", s[2])
    caps = re.findall(r"<figcaption>(.+?)</figcaption>", s[2], re.S)
    check(len(figs) == want_figs[i], "section %d has %d figures, expected %d" % (i + 1, len(figs), want_figs[i]))
    check(len(caps) == len(figs) and all(len(c) > 40 for c in caps), "section %d captions" % (i + 1))

# ---- figure kinds: trajectories, surface, animation, tables ----
check(len(svgs) >= 21, "only %d svg figures" % len(svgs))
check(page.count('class="paths"') >= 12, "trajectory maps: %d" % page.count('class="paths"'))
check(len(re.findall(r"<animate\b", page)) >= 12, "animation elements")
check(page.count("<table>") == 3, "tables: guess work, schedules, tuning")

# ---- numbers: data-* attributes, and the captions say the same ----
figs = {}
for m in re.finditer(r'<figure class="fig" id="fig\d+" data-name="([^"]+)"([^>]*)>(.*?)</figure>', page, re.S):
    attrs = {k: float(v) for k, v in re.findall(r'data-([a-z0-9-]+)="([^"]+)"', m.group(2))}
    cap = re.search(r"<figcaption>(.*?)</figcaption>", m.group(3), re.S)
    figs[m.group(1)] = (attrs, cap.group(1) if cap else "")
def num(name, key):
    return figs[name][0][key]
def in_caption(name, text):
    check(text in figs[name][1], "caption of %s lacks %r: %s" % (name, text, figs[name][1][:200]))

g = figs["guess-table"][0]
check(g["max-diff"] < 5e-4, "guess table differs from the lecture by %g" % g["max-diff"])
check(g["last-loss"] < g["first-loss"], "guesses do not lower the loss")
check(num("plateau-loss", "final") < 1e-6 and num("plateau-path", "half-step") > 20,
      "GD plateau: half at %g, final %g" % (num("plateau-path", "half-step"), num("plateau-loss", "final")))
m = figs["momentum-vs-gd"][0]
check(m["momentum-error"] < m["gd-error"] / 50, "momentum not << GD after 100 iterations: %s" % m)
check(m["gd-error"] > 0.1, "GD should still be on the plateau: %g" % m["gd-error"])
check(m["nag-overshoot"] < m["momentum-overshoot"], "NAG overshoots no less than momentum: %s" % m)
in_caption("momentum-vs-gd", "%.2e" % m["momentum-error"])
b = figs["batches-loss"][0]
check(b["batch-rise"] == 0 and b["sgd-rise"] > b["batch-rise"], "batch GD not smooth / SGD not noisy: %s" % b)
s5 = figs["sparse-momentum"][0]
check(s5["gd-wshare"] < 0.5 and s5["adagrad-wshare"] > s5["gd-wshare"], "sparse: %s" % s5)
q = figs["quadratic-gd"][0]
check(q["gd06-final"] > 1e3 and q["gd04-final"] < 1 and q["mom05-final"] < q["gd04-final"] / 100
      and q["mom025-final"] > q["mom05-final"], "quadratic: %s" % q)
check(num("linesearch-loss", "ls-final") < num("linesearch-loss", "gd-final") / 100, "line search")
for k, v in zip(["ng-lr1", "ng-lr2", "ng-lr3", "ng-lr4"], [0.1, 0.0667, 0.05, 0.04]):
    check(abs(num("schedule-table", k) - v) < 5e-4, "Ng's 1/t example %s = %g" % (k, num("schedule-table", k)))
check(num("momentum-schedule", "g250") == 0.75 and num("momentum-schedule", "g99-end") == 0.99, "Sutskever schedule")
e = figs["ewma-year"][0]
check(e["lag-05"] < e["lag-09"] < e["lag-098"], "EWMA lags do not grow with beta: %s" % e)
c = figs["ewma-correction"][0]
check(c["day5-uncorrected"] < c["day5-mean"] / 4 and abs(c["day5-corrected"] - c["day5-mean"]) < 2,
      "bias correction: %s" % c)
tt = figs["tune-table"][0]
check(1e-4 <= tt["best-lr"] <= 3 and tt["trials"] == 8, "tuning: %s" % tt)
rows = re.findall(r"<tr[^>]*><td>(log scale|finer)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
check(len(rows) >= 6, "tuning table rows: %d" % len(rows))
best = min(rows, key=lambda r: float(r[3]))
check(abs(float(best[1]) - tt["best-lr"]) < 1e-12, "best rate %g is not the lowest val loss row %s" % (tt["best-lr"], best))
rb = figs["race-beale"][0]
check(rb["adam-hit"] > 0 and (rb["gd-hit"] < 0 or rb["gd-hit"] > rb["adam-hit"]), "beale race: %s" % rb)
rs = figs["race-saddle"][0]
check(rs["adam-hit"] > 0 and (rs["gd-hit"] < 0 or rs["gd-hit"] > rs["adam-hit"]), "saddle race: %s" % rs)
# Series that coincide stay visible: the later one is dashed (with the solid
# one under it), so its dash gaps show the colour it covers.
bodies = dict(re.findall(r'<figure class="fig" id="fig\d+" data-name="([^"]+)"[^>]*>(.*?)</figure>', page, re.S))
def dashes(name, cls):  # (stroke, dasharray or "") of each path of the class
    out = []
    for tag in re.findall(r'<path class="%s"[^>]*>' % cls, bodies.get(name, "")):
        c, d = re.search(r' stroke="([^"]*)"', tag), re.search(r' stroke-dasharray="([^"]*)"', tag)
        out.append((c.group(1) if c else "", d.group(1) if d else ""))
    return out
sd = dict(dashes("race-saddle", "trajectory"))
check(sd.get("#d62728") == "" and sd.get("#1f77b4", "") != "", "saddle: NAG (blue) not dashed over solid momentum (red): %s" % sd)
ms = [d for _, d in dashes("momentum-schedule", "series")]
check(len(ms) == 4 and ms[0] == "" and all(ms[1:]) and len(set(ms)) == 4,
      "momentum schedule: want 0.999 solid and the rest distinct dashes: %s" % ms)
r = figs["reddi"][0]
check(r["adam-final"] > 0.9 and r["amsgrad-final"] < -0.9, "Reddi: Adam %g, AMSGrad %g" % (r["adam-final"], r["amsgrad-final"]))
in_caption("reddi", "x = %.3f" % r["adam-final"])

for e in errors:
    print("lectures.sh:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

# ---- bad input: exit 2, one line on stderr, nothing written ----
echo "keep me" > kept.html
bad() { # bad NEEDLE ARGS...
    local needle=$1; shift
    expect_exit 2 "$DESCENT" lectures "$@"
    [ -z "$out" ] || fail "'$*' wrote to stdout: $out"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "'$*': not one stderr line: $err"
    expect_in "$err" "$needle"
}
bad "missing -o/--output"
bad "folder 'no/such' does not exist" -o no/such/report.html
bad "unknown option '--foo'" -o kept.html --foo
bad "unexpected argument 'extra'" -o kept.html extra
bad "--output needs" --output
bad "nosuchdata" -o kept.html --tune-data nosuchdata
[ "$(cat kept.html)" = "keep me" ] || fail "a failed run changed kept.html"
[ -z "$(ls -A | grep -v -e '^report.html$' -e '^kept.html$' -e '^\.out$' -e '^\.err$')" ] ||
    fail "stray files: $(ls -A)"

expect_exit 0 "$DESCENT" lectures --help
expect_in "$out" "usage: descent lectures"
expect_in "$out" "--tune-data"
echo "lectures.sh: all checks passed"
