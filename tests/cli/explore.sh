#!/usr/bin/env bash
# explore.sh - `descent explore -o explorer.html` writes one self-contained
# page: the engine inlined as base64 (it decodes to the build's
# explorer.wasm, byte for byte), the page's script and style inline, no
# address to fetch anything from, a Content-Security-Policy that forbids
# the network; and it refuses bad outputs safely: no -o, a missing folder,
# a folder, and leaves the previous file whole when it fails; and the
# lecture report's "open in the explorer" links carry arguments `descent
# trace` accepts. Skips the
# page checks when the build had no wasm32 toolchain (the command then says
# how to get it, exit 1).
source "$(dirname "$0")/lib/common.bash"
: "${DS_BUILD_DIR:?run through ctest}"

if [ ! -f "$DS_BUILD_DIR/explorer.wasm" ]; then
    expect_exit 1 "$DESCENT" explore -o explorer.html
    expect_in "$err" "this build has no explorer"
    [ ! -e explorer.html ] || fail "wrote explorer.html without an explorer"
    echo "SKIP: the build had no wasm32 toolchain (tools/deps.sh installs it)"
    exit 0
fi

expect_exit 0 "$DESCENT" explore -o explorer.html
expect_in "$out" "wrote explorer.html:"
[ -s explorer.html ] || fail "explorer.html is empty"
python3 - explorer.html "$DS_BUILD_DIR/explorer.wasm" <<'PY' || fail "explorer.html is not self-contained"
import base64, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
wasm = open(sys.argv[2], "rb").read()
m = re.search(r'<script type="application/octet-stream" id="engine">([A-Za-z0-9+/=]+)</script>', page)
assert m, "no inlined engine"
assert base64.b64decode(m.group(1)) == wasm, "the inlined engine is not the build's explorer.wasm"
assert "@WASM@" not in page and "@JS@" not in page and "@CSS@" not in page, "a marker was left"
assert not re.search(r'(src|href)="(https?:)?//', page), "the page loads something from the network"
assert "http://" not in page and "https://" not in page, "the page names a web address"
assert "default-src 'none'" in page, "no Content-Security-Policy"
for needle in ("data-trace-csv", 'id="map"', 'id="fn-expr"', "WebAssembly.instantiate"):
    assert needle in page, needle
PY

# - is standard output, and the note goes to stderr then
expect_exit 0 "$DESCENT" explore -o -
cmp -s <(printf '%s\n' "$out") explorer.html || fail "-o - differs from the file"
expect_in "$err" "wrote standard output"

# ---- bad outputs: exit 2, one line, nothing written or clobbered ----
cp explorer.html before.html
expect_exit 2 "$DESCENT" explore
expect_in "$err" "missing -o/--output FILE.html"
expect_exit 2 "$DESCENT" explore -o no/such/folder/x.html
expect_in "$err" "no/such/folder"
[ ! -e no ] || fail "made a folder"
mkdir folder
expect_exit 2 "$DESCENT" explore -o folder
[ -d folder ] && [ -z "$(ls folder)" ] || fail "touched the folder"
expect_exit 2 "$DESCENT" explore -o explorer.html extra
expect_exit 2 "$DESCENT" explore --bogus -o explorer.html
expect_exit 2 "$DESCENT" explore -o ""
expect_in "$err" "--output: empty path"
cmp -s before.html explorer.html || fail "a refused run changed explorer.html"

# ---- the lecture report links its races into the explorer, in the CLI's syntax ----
quiet "$DESCENT" lectures -o report.html --tune-data blobs >/dev/null
python3 - report.html "$DESCENT" <<'PY' || fail "the report's explorer links are not trace arguments"
import html, re, subprocess, sys
page, descent = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
links = re.findall(r'<a href="explorer.html#([^"]+)"', page)
assert len(links) >= 2, links
for h in links:
    d, opts = {}, []
    for k, v in (kv.split("=", 1) for kv in html.unescape(h).split("&")):
        if k == "opt":
            opts.append(v)
        else:
            d[k] = v
    assert 1 <= len(opts) <= 6 and 1 <= int(d["steps"]) <= 10000, h
    for o in opts:
        r = subprocess.run([descent, "trace", "--fn", d["fn"], "--start", d["start"],
                            "--steps", d["steps"], "--opt", o], capture_output=True)
        assert r.returncode in (0, 3), (h, o, r.stderr)
PY
