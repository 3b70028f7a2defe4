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
