# checkpoint_ulimit.sh - writes that fail keep what was there: under a
# file-size limit (ulimit -f) smaller than a checkpoint, write() fails with
# EFBIG (descent ignores SIGXFSZ, which would otherwise kill it mid-write),
# and then the previous --checkpoint or --save file is still there byte for
# byte and resumes, no temporary file is left, and descent exits 1 naming
# the file and the real cause ("File too large").
source "$(dirname "$0")/lib/common.bash"

run=(--data blobs:n=300 --model mlp:2-64-64-3 --threads 1 --batch 32)
# "${capped[@]}" KIB CMD...: runs CMD with files limited to KIB KiB.
capped=(bash -c 'ulimit -f "$0" && exec "$@"')

# check_kept FILE COPY WHAT: the failed run exited 1 naming FILE and the
# cause, FILE is COPY byte for byte, no temporary file is left.
check_kept() {
    # the file as given, or absolute (a resumed run's recorded checkpoint)
    case "$err" in *"cannot write '$1'"* | *"cannot write '$PWD/$1'"*) ;;
    *) fail "$3: expected \"cannot write '$1'\" in: $err" ;; esac
    expect_in "$err" "File too large"
    cmp -s "$1" "$2" || fail "$3: $1 changed by the failed write"
    ! ls ./*.tmp.* >/dev/null 2>&1 || fail "$3: temporary file left: $(ls ./*.tmp.*)"
}

quiet "$DESCENT" train "${run[@]}" --epochs 2 --checkpoint ck.ckpt --save m.ckpt >/dev/null
cp ck.ckpt ck.before && cp m.ckpt m.before
kib=$(($(stat -c %s ck.ckpt) / 2048)) # half the checkpoint's size
[ "$kib" -ge 1 ] || fail "checkpoint too small for the test: $(stat -c %s ck.ckpt) bytes"

# --- the epoch-end checkpoint of a resumed run fails: the file it would
#     have replaced stays, and resumes
expect_exit 1 "${capped[@]}" "$kib" "$DESCENT" train --resume ck.ckpt --epochs 4 \
    --checkpoint ck.ckpt
check_kept ck.ckpt ck.before "--checkpoint"
quiet "$DESCENT" train --resume ck.ckpt --epochs 3 --save resumed.ckpt >/dev/null

# --- the final --save fails: the previous model file stays
expect_exit 1 "${capped[@]}" "$kib" "$DESCENT" train "${run[@]}" --epochs 1 --save m.ckpt
check_kept m.ckpt m.before "--save"
quiet "$DESCENT" eval --model-file m.ckpt >/dev/null
echo "ok (limit $kib KiB)"
