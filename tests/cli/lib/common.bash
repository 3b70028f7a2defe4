# common.bash - helpers for the CLI tests (sourced by tests/cli/*.sh).
# Every helper fails the script (exit 1) with a message naming the check.
# A failing test prints the failing command and its stderr: a command that
# fails under set -e is named by the ERR trap below (its stderr is already in
# the test's output), and `quiet` runs a command whose stderr would be noise
# on success, showing that stderr when it fails. Never send a command's
# stderr to /dev/null under set -e: a failure would then say nothing.
set -eEuo pipefail
: "${DESCENT:?run through ctest}" "${DS_TMP:?run through ctest}"
DS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) # these helpers' folder (ckpt.py)
rm -rf "$DS_TMP" && mkdir -p "$DS_TMP"
cd "$DS_TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }

# python3 is looked up once: a version manager's shim in PATH (pyenv) costs
# about a second a call, and the kill-and-resume tests call it dozens of times.
if DS_PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$DS_PYTHON" ]; then
    python3() { "$DS_PYTHON" "$@"; }
fi

# The command set -e is about to end the script on, with the calls that led
# to it (ERR also fires under set +e, where a failure is expected: skipped).
on_err() {
    local rc=$1 cmd=$2 where="" i
    [[ $- == *e* ]] || return 0
    for ((i = 1; i < ${#BASH_LINENO[@]}; i++)); do
        where+=" ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
    done
    echo "FAIL: '${cmd%%$'\n'*}' exited $rc (at$where)" >&2 # a here-document's first line
}
trap 'on_err $? "$BASH_COMMAND"' ERR

# quiet CMD...: runs CMD with its stderr kept aside (a progress bar, notes);
# its stdout goes where the caller sends it. If CMD fails the script fails,
# naming CMD, its exit status and its stderr.
quiet() {
    local rc=0
    "$@" 2>"$DS_TMP/.quiet" || rc=$?
    [ "$rc" -eq 0 ] || fail "'$*' exited $rc; stderr: $(cat "$DS_TMP/.quiet")"
}

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
