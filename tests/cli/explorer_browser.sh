#!/usr/bin/env bash
# explorer_browser.sh - the explorer in a real browser: Debian's chromium,
# driven through the DevTools protocol by playwright-core (pinned in
# tests/browser/package.json and its lock file; tests/browser/explorer.mjs
# does the clicking), opens explorer.html from disk with the network off
# at a shared state (URL hash, gradient noise on), and then: no console message; every
# optimizer's data view (data-trace-csv) holds exactly what `descent trace`
# prints for the state's arguments - when loaded, after the lr slider moved
# by keyboard, after the start was dragged, after an expression was typed;
# a bad expression shows its column; screenshots at 375 and 1280 px are not
# blank. Skips only without chromium, node or the wasm toolchain
# (tools/deps.sh installs them and the npm package).
source "$(dirname "$0")/lib/common.bash"
: "${DS_BUILD_DIR:?run through ctest}" "${DS_SOURCE_DIR:?run through ctest}"
browser=$(command -v chromium || true)
if [ -z "$browser" ] || ! command -v node >/dev/null || [ ! -f "$DS_BUILD_DIR/explorer.wasm" ]; then
    echo "SKIP: needs chromium, node and the wasm32 toolchain (tools/deps.sh installs them)"
    exit 0
fi

# The driver: as tools/deps.sh installed it for this lock file, else from
# the lock file here.
driver=$DS_SOURCE_DIR/tests/browser
if ! cmp -s "$driver/package-lock.json" "$driver/node_modules/.descent-lock"; then
    mkdir drv
    cp "$driver"/package.json "$driver"/package-lock.json "$driver"/explorer.mjs drv/
    (cd drv && quiet npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    driver=$DS_TMP/drv
fi

quiet "$DESCENT" explore -o explorer.html
mkdir out
hash='fn=rosenbrock&start=-1.5,2&steps=150&noise=0.5&seed=3&opt=adam:lr=0.05&opt=sgd:lr=0.001,momentum=0.9&schedule=cosine:period=150&opt=nag:lr=0.001,momentum=0.5'
CHROMIUM=$browser timeout 300 node "$driver/explorer.mjs" explorer.html out "$hash" ||
    fail "the browser checks failed (above)"
[ "$(cat out/loaded.hash)" = "$hash" ] || fail "the page changed the hash it was opened with: $(cat out/loaded.hash)"

# every state's data views against descent trace, byte for byte
python3 - "$DESCENT" out <<'PY' || fail "a data view differs from descent trace"
import os, subprocess, sys, urllib.parse
descent, out = sys.argv[1], sys.argv[2]
checked = 0
for tag in ("loaded", "slider", "dragged", "typed"):
    items = [kv.split("=", 1) for kv in open(os.path.join(out, tag + ".hash")).read().strip().split("&")]
    items = [(k, urllib.parse.unquote(v)) for k, v in items]
    common = {k: v for k, v in items if k in ("fn", "start", "steps", "noise", "seed")}
    opts = []
    for k, v in items:
        if k == "opt": opts.append([v, None])
        if k == "schedule": opts[-1][1] = v
    assert len(opts) == 3, (tag, opts)
    for i, (opt, sched) in enumerate(opts):
        cmd = [descent, "trace", "--fn", common["fn"], "--start", common["start"],
               "--steps", common["steps"], "--opt", opt] + (["--schedule", sched] if sched else [])
        if "noise" in common:
            cmd += ["--noise", common["noise"], "--seed", common["seed"]]
        want = subprocess.run(cmd, capture_output=True).stdout
        got = open(os.path.join(out, "%s.csv%d" % (tag, i)), "rb").read()
        assert len(want) > 100, (cmd, want)
        assert got == want, "%s optimizer %d (%s): page %d bytes, trace %d bytes" % (tag, i, " ".join(cmd), len(got), len(want))
        checked += 1
print("explorer_browser: %d data views equal descent trace" % checked)
PY
for w in 375 1280; do
    [ "$(stat -c %s out/shot-$w.png)" -gt 20000 ] || fail "the $w px screenshot is nearly empty"
done
