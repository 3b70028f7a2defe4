# gen_signal.sh - `descent gen` never leaves a partial file: a set larger
# than the folder's free space is refused at once (exit 2, both sizes in
# the message, nothing created), and SIGINT/SIGTERM, once or twice, stop
# it with exit 128 + a signal sent and its temporary file removed. The
# run is sized to a quarter of the free space so it cannot finish before
# the signal (the signal is sent once the temporary file has data; no timed
# assertion), and wrapped in `timeout -s KILL` so a broken handler fails
# the test (status 137) instead of hanging it. Every gen runs under a file
# size limit (ulimit -f), so a missing check fails the test (SIGXFSZ,
# status 153) instead of filling the disk.
source "$(dirname "$0")/lib/common.bash"

# "${capped[@]}" KIB CMD...: runs CMD with files limited to KIB KiB.
capped=(bash -c 'ulimit -f "$0" && exec "$@"')

# nothing_left WHAT: the folder holds no output and no temporary file.
nothing_left() {
    local left
    left=$(ls -A | grep -v '^\.\(out\|err\)$' || true)
    [ -z "$left" ] || fail "$1 left: $left"
}

# -- too large for the disk: 4e9 rows of 1000 features and a target, 16 TB
expect_exit 2 "${capped[@]}" 1024 "$DESCENT" gen linear --rows 4000000000 --features 1000 -o huge.ds
expect_in "$err" "huge.ds: needs 16016000000064 bytes"
expect_in "$err" "bytes ("
expect_in "$err" "free"
nothing_left "a refused gen"
avail=$(df -B1 --output=avail . | tail -1)
if [ "$avail" -lt 400000000064 ]; then # the issue's example, where the disk is smaller
    expect_exit 2 "${capped[@]}" 1024 "$DESCENT" gen linear --rows 100000000 --features 1000 -o big.ds
    nothing_left "gen linear --rows 1e8 --features 1000"
fi

# -- interrupted: rows of 10 features and a target (44 bytes)
rows=$((avail / 4 / 44))
[ "$rows" -lt 4000000000 ] || rows=4000000000
[ "$rows" -gt 10000000 ] || fail "too little free space here for this test ($avail bytes)"
for sigs in INT TERM "INT INT" "TERM INT"; do
    timeout --foreground -s KILL 120 "${capped[@]}" 4194304 "$DESCENT" gen linear --rows "$rows" --features 10 \
        -o run.ds >out.txt 2>err.txt &
    pid=$!
    until [ -n "$(find . -name 'run.ds.tmp.*' -size +0 2>/dev/null)" ]; do
        kill -0 "$pid" 2>/dev/null || fail "gen ended before the signal: $(cat err.txt)"
        sleep 0.1
    done
    set -- $sigs
    kill -s "$1" "$pid" # alive: checked above
    # The second signal may find gen gone already: the first one stopped it
    # and timeout exited (under load the shell can lose the CPU in between).
    if [ $# -eq 2 ] && ! msg=$(kill -s "$2" "$pid" 2>&1); then
        [[ $msg == *"No such process"* ]] || fail "kill -s $2: $msg"
    fi
    set +e; wait "$pid"; rc=$?; set -e
    case " $sigs " in # two signals sent at once may be handled in either order
    *" $(kill -l $((rc - 128)) 2>/dev/null) "*) ;;
    *) fail "SIG$sigs: exit $rc, expected 128 + one of them; stderr: $(cat err.txt)" ;;
    esac
    expect_in "$(cat err.txt)" "descent gen: interrupted; nothing written"
    rm out.txt err.txt
    nothing_left "SIG$sigs"
done
echo "ok"
