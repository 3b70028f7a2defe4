# common.bash - helpers for the CLI tests (sourced by tests/cli/*.sh).
# Every helper fails the script (exit 1) with a message naming the check.
set -euo pipefail
: "${DESCENT:?run through ctest}" "${DS_TMP:?run through ctest}"
rm -rf "$DS_TMP" && mkdir -p "$DS_TMP"
cd "$DS_TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE CMD...: runs CMD, checks its exit status; stdout/stderr in $out/$err.
expect_exit() {
    local want=$1; shift
    set +e
    "$@" >"$DS_TMP/.out" 2>"$DS_TMP/.err"
    local got=$?
    set -e
    out=$(cat "$DS_TMP/.out"); err=$(cat "$DS_TMP/.err")
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $err"
}

# expect_in TEXT NEEDLE: TEXT contains NEEDLE.
expect_in() { case "$1" in *"$2"*) ;; *) fail "expected '$2' in: $1" ;; esac; }
