# browser.bash - what the page tests in Debian's chromium share (sourced
# after common.bash): skip without chromium, and `run_browser PROFILE
# ARGS...` with a fresh profile per run, no network, no sandbox (root in CI).
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "SKIP: chromium is not installed (apt-get install chromium; tools/deps.sh does)"
    exit 0
fi
run_browser() {
    local profile=$1; shift
    timeout 180 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --hide-scrollbars --user-data-dir="$DS_TMP/$profile" \
        --enable-logging=stderr --v=0 "$@"
}
# load_page FILE.html WIDTH,HEIGHT: FILE (in the test's folder) painted to
# shot.png with no console message (no error, no blocked resource), then
# the browser's DOM of it in dom.html.
load_page() {
    run_browser prof1 --screenshot="$DS_TMP/shot.png" --window-size="$2" "file://$DS_TMP/$1" \
        2>browser.log >shot.out || fail "chromium failed: $(tail -5 browser.log)"
    [ -s shot.png ] || fail "no screenshot written; log: $(tail -5 browser.log)"
    if grep -E "CONSOLE|Uncaught|ERR_|net::|Refused to|Failed to load" browser.log; then
        fail "the page logged errors (above)"
    fi
    run_browser prof2 --dump-dom "file://$DS_TMP/$1" >dom.html 2>browser2.log ||
        fail "chromium --dump-dom failed: $(tail -5 browser2.log)"
}
