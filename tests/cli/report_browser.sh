#!/usr/bin/env bash
# report_browser.sh - the lecture report in a real browser: Debian's
# headless chromium loads report.html from disk with the network off,
# (1) logs no console message (no error, no blocked resource), (2) builds a
# DOM with every section, figure and SVG of the file, and (3) paints a
# screenshot that is not blank (many colours, a good share of non-white
# pixels, vivid plot colours). Skips only if chromium is
# not installed (tools/deps.sh installs it).
source "$(dirname "$0")/lib/common.bash"
source "$DS_LIB/browser.bash"

expect_exit 0 "$DESCENT" lectures -o report.html

# ---- screenshot and console, then the browser's DOM holds every section, figure and svg ----
load_page report.html 1200,3000
python3 - report.html dom.html <<'PY' || fail "DOM differs from the file"
import re, sys
src, dom = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
for tag in ("<section", "<figure", "<svg", "<figcaption", "<table", "<animate "):
    a, b = src.count(tag), dom.count(tag)
    if a == 0 or a != b:
        sys.exit("%s: %d in the file, %d in the browser's DOM" % (tag, a, b))
print("DOM: %d figures, %d svg" % (dom.count("<figure"), dom.count("<svg")))
PY

# ---- the screenshot is a real picture: decode the PNG (zlib) and look ----
python3 - shot.png <<'PY' || fail "screenshot looks blank"
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(d):
    n, t = struct.unpack(">I4s", d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    pos += 12 + n
    if t == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif t == b"IDAT":
        idat += body
assert depth == 8 and ctype in (2, 6), "unexpected PNG format %d/%d" % (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, i, colours, ink, total = bytearray(stride), 0, set(), 0, 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):  # undo the PNG row filter (RFC 2083, 6.2)
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 2 == 0:  # every other row and column is plenty
        for x in range(0, w, 2):
            px = bytes(line[x * bpp:x * bpp + 3])
            colours.add(px)
            total += 1
            ink += px != b"\xff\xff\xff"
share = ink / total
vivid = sum(1 for px in colours if max(px) - min(px) > 100)  # contour colours, paths, links
print("screenshot %dx%d: %d colours (%d vivid), %.1f%% non-white" % (w, h, len(colours), vivid, 100 * share))
sys.exit(0 if w == 1200 and h == 3000 and len(colours) > 200 and vivid > 20 and share > 0.05 else 1)
PY
echo "report_browser.sh: all checks passed"
