#!/usr/bin/env bash
# compare_browser.sh - `descent compare`'s page in a real browser, as
# report_browser.sh does it for the lecture report: Debian's headless
# chromium loads compare.html from disk with the network off, logs no
# console message, and builds a DOM with every section, figure, table and
# SVG of the file: one section per problem, each with its final table,
# learning curves, rate sensitivity and time to target, and the
# performance profiles. Skips only if chromium is not installed.
source "$(dirname "$0")/lib/common.bash"
source "$DS_LIB/browser.bash"

quiet "$DESCENT" compare --budget tiny --problems quadratic_deep,rosenbrock,beale,branin \
    --opt sgd --opt momentum --opt adam -o compare.html >summary.txt

load_page compare.html 1000,2400
python3 - compare.html dom.html <<'PY' || fail "the browser's DOM differs from the file"
import re, sys
src, dom = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
for tag in ("<section", "<figure", "<svg", "<figcaption", "<table"):
    a, b = src.count(tag), dom.count(tag)
    if a == 0 or a != b:
        sys.exit("%s: %d in the file, %d in the browser's DOM" % (tag, a, b))
problems = re.findall(r'<section class="problem"[^>]*data-problem="([a-z_]+)"', dom)
assert problems == ["quadratic_deep", "rosenbrock", "beale", "branin"], problems
for p in range(4):
    for kind in ("final", "curves", "sensitivity", "target"):
        n = len(re.findall(r'data-name="%s" data-problem-index="%d"' % (kind, p), dom))
        assert n == 1, (kind, p, n)
assert dom.count('data-name="profile"') == 1
# every problem's table has a row per optimizer
assert dom.count("<tr><th>adam") == 4, dom.count("<tr><th>adam")
print("DOM: %d figures, %d svg" % (dom.count("<figure"), dom.count("<svg")))
PY
echo "compare_browser: ok"
