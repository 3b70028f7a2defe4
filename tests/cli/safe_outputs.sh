# safe_outputs.sh - no descent output harms what is at its path (doc/training.md,
# "Outputs"): a null device made in this folder stays a device whatever output
# option of whatever command points at it (written in place, or refused with
# exit 2 where the output must be a file); a symlink stays a link and its
# target gets the content; a 0600 file stays 0600; a FIFO gets the stream;
# an output that is an input or another output is refused before any work
# (exit 2, the input unchanged); `-o -` is standard output and no file named
# `-` appears. Never aims anything at /dev/null itself.
source "$(dirname "$0")/lib/common.bash"

printf 'a,b,label\n1,2,0\n2,1,1\n3,3,0\n0,1,1\n1,1,0\n2,2,1\n' >d.csv
cp d.csv d.orig
run=(--data csv:d.csv --model mlp:2-4-2 --epochs 2 --batch 2 --threads 1)
plotmap=(plot --fn booth --opt gd --start 1,1 --steps 5)
tune=(tune --data blobs:n=60 --model mlp:2-3 --epochs 1 --lrs 0.1/1 --coarse-only --threads 1)
lectures=(lectures --tune-data blobs:n=60)
"$DESCENT" train "${run[@]}" --log a.csv >/dev/null

no_temp() { ! ls ./*.tmp.* >/dev/null 2>&1 || fail "$1: left a temporary file: $(ls ./*.tmp.*)"; }

# ---- a character device: written in place, or refused; never replaced
if mknod dev c 1 3 2>/dev/null; then
    # into_dev CODE CMD...: exit CODE, and dev is still the null device
    into_dev() {
        local code=$1; shift
        expect_exit "$code" "$DESCENT" "$@"
        [ -c dev ] && [ "$(stat -c %t:%T dev)" = "1:3" ] || fail "'$*' replaced the device"
        no_temp "$*"
    }
    into_dev 0 train "${run[@]}" --log dev
    into_dev 0 train "${run[@]}" --save dev
    into_dev 2 train "${run[@]}" --checkpoint dev
    expect_in "$err" "--checkpoint dev: a device, FIFO or socket cannot take this output"
    into_dev 0 "${tune[@]}" --plot dev
    into_dev 0 "${plotmap[@]}" -o dev
    into_dev 0 plot --log a.csv --output dev
    into_dev 0 "${lectures[@]}" -o dev
    into_dev 2 gen linear --rows 10 -o dev
    expect_in "$err" "must be a file"
else
    echo "note: mknod needs root; the device checks were skipped"
fi

# ---- a symlink: the link stays, its target gets the content
mkdir sub
ln -s ../target.svg sub/link.svg
expect_exit 0 "$DESCENT" "${plotmap[@]}" -o sub/link.svg
[ -L sub/link.svg ] || fail "the symlink output was replaced by a file"
[ -f target.svg ] && grep -q "<svg" target.svg || fail "the link's target did not get the figure"
ln -s model.ckpt saved.ckpt
expect_exit 0 "$DESCENT" train "${run[@]}" --save saved.ckpt --log log-link.csv
[ -L saved.ckpt ] && [ -f model.ckpt ] || fail "--save through a link did not keep the link"
expect_exit 0 "$DESCENT" eval --model-file model.ckpt --data csv:d.csv,d.csv
no_temp "symlink"

# ---- a rewritten file keeps its mode (and owner, as root)
expect_exit 0 "$DESCENT" train "${run[@]}" --save private.ckpt --checkpoint ck.ckpt
chmod 600 private.ckpt ck.ckpt
chmod 640 a.csv
owner=
if [ "$(id -u)" = 0 ]; then chown 1234:5678 private.ckpt && owner=1234:5678; fi
expect_exit 0 "$DESCENT" train "${run[@]}" --save private.ckpt --checkpoint ck.ckpt --log a.csv
[ "$(stat -c %a private.ckpt)" = 600 ] || fail "--save: 0600 became $(stat -c %a private.ckpt)"
[ "$(stat -c %a ck.ckpt)" = 600 ] || fail "--checkpoint: 0600 became $(stat -c %a ck.ckpt)"
[ "$(stat -c %a a.csv)" = 640 ] || fail "--log: 0640 became $(stat -c %a a.csv)"
[ -z "$owner" ] || [ "$(stat -c %u:%g private.ckpt)" = "$owner" ] ||
    fail "--save as root: owner $owner became $(stat -c %u:%g private.ckpt)"

# ---- a FIFO gets the output as a stream (a reader waits on it)
mkfifo fifo
# through_fifo CMD...: runs CMD with its output on the FIFO; the bytes read land in got
through_fifo() {
    timeout 120 cat fifo >got &
    local reader=$!
    expect_exit 0 "$DESCENT" "$@"
    wait "$reader" || fail "'$*': the FIFO's reader got nothing (exit $?)"
    [ -p fifo ] || fail "'$*' replaced the FIFO"
}
through_fifo train "${run[@]}" --log fifo
[ "$(head -1 got)" = "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds" ] &&
    [ "$(wc -l <got)" = 3 ] || fail "--log fifo: got '$(cat got)'"
through_fifo "${plotmap[@]}" -o fifo
grep -q "</svg>" got || fail "-o fifo: no figure came through"
through_fifo train "${run[@]}" --save fifo
cp got streamed.ckpt
expect_exit 0 "$DESCENT" eval --model-file streamed.ckpt --data csv:d.csv,d.csv

# ---- an output that is an input, or another output: exit 2, nothing written
# same CMD...: refused with exit 2 naming the clash; d.csv, a.csv unchanged
cp a.csv a.orig
same() {
    expect_exit 2 "$DESCENT" "$@"
    case "$err" in *"refusing to overwrite"* | *"are the same file"*) ;;
    *) fail "'$*': expected a same-file message, got: $err" ;; esac
    cmp -s d.csv d.orig || fail "'$*' changed the input d.csv"
    cmp -s a.csv a.orig || fail "'$*' changed a.csv"
    for f in x x.ckpt -; do [ ! -e "$f" ] || fail "'$*' wrote $f"; done
    no_temp "$*"
}
same train "${run[@]}" --save d.csv
expect_in "$err" "--save d.csv is the input d.csv (--data csv:d.csv)"
same train "${run[@]}" --log d.csv
same train "${run[@]}" --checkpoint ./d.csv
same train "${run[@]}" --save x --log x
expect_in "$err" "--log x and --save x are the same file"
same train "${run[@]}" --log x --checkpoint ./x
same train "${run[@]}" --save x.ckpt --checkpoint x.ckpt
same plot --log a.csv -o a.csv
expect_in "$err" "--output a.csv is the input a.csv (--log a.csv)"
same tune --data csv:d.csv --model mlp:2-3 --epochs 1 --lrs 0.1 --coarse-only --plot d.csv
same lectures --tune-data csv:d.csv -o d.csv
ln d.csv hard.csv
same train "${run[@]}" --log hard.csv
ln -s d.csv soft.csv
same train --data csv:soft.csv --model mlp:2-4-2 --epochs 1 --save d.csv
same train --data "csv:a.csv,d.csv,label=epoch" --model mlp:6-2 --epochs 1 --log d.csv
"$DESCENT" gen blobs --rows 40 --features 2 -o s.ds >/dev/null
cp s.ds s.orig
same train --data stream:s.ds --model mlp:2-3 --epochs 1 --log s.ds
cmp -s s.ds s.orig || fail "--log s.ds changed the stream file"
cp private.ckpt r.orig
same train --resume private.ckpt --epochs 3 --log private.ckpt
cmp -s private.ckpt r.orig || fail "--log over --resume changed the checkpoint"
# continuing a run in place is the one overlap allowed: the checkpoint is
# read whole before anything is written
expect_exit 0 "$DESCENT" train --resume private.ckpt --epochs 3 --threads 1 --checkpoint private.ckpt
expect_exit 0 "$DESCENT" train --resume private.ckpt --epochs 4 --threads 1 --save private.ckpt
cmp -s private.ckpt r.orig && fail "--resume X --save X did not save"

# ---- a directory is refused
mkdir folder
expect_exit 2 "$DESCENT" train "${run[@]}" --log folder
expect_in "$err" "'folder' is a directory"
[ -d folder ] || fail "the folder is gone"

# ---- "-": standard output for the text outputs, nothing else on it
expect_exit 0 "$DESCENT" "${plotmap[@]}" -o -
expect_in "$out" "</svg>"
expect_exit 0 "$DESCENT" "${tune[@]}" --plot -
case "$out" in "<?xml"*"</svg>") ;; *) fail "tune --plot -: stdout is not the figure alone" ;; esac
expect_in "$err" "best lr"
expect_exit 0 "$DESCENT" train "${run[@]}" --log -
[ "$(printf '%s\n' "$out" | head -1)" = "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds" ] &&
    [ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || fail "train --log -: stdout is not the log: $out"
expect_in "$err" "train_loss"
expect_exit 0 "$DESCENT" "${lectures[@]}" --output -
case "$out" in "<!DOCTYPE html>"*"</html>") ;; *) fail "lectures -o -: stdout is not the page" ;; esac
expect_in "$err" "wrote standard output"
expect_exit 2 "$DESCENT" train "${run[@]}" --log - --json
expect_exit 2 "$DESCENT" train "${run[@]}" --save -
expect_in "$err" "--save -: '-' (standard output) is for the text outputs"
expect_exit 2 "$DESCENT" train "${run[@]}" --checkpoint -
expect_exit 2 "$DESCENT" gen linear --rows 10 -o -
[ ! -e - ] || fail "a file named '-' appeared"
echo "ok"
