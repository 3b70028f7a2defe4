# checkpoint_space.sh - a checkpoint is written only when its folder has
# room for it: on a full file system (a 1 MiB tmpfs, filled up) --save and
# --checkpoint fail before the temporary file is created, with exit 1 and a
# message giving the bytes needed and free; the previous checkpoint stays
# byte for byte and no temporary file appears. The tmpfs is mounted in a
# private mount namespace (unshare -m), so it vanishes with the test.
self=$(realpath "$0") # common.bash changes the folder
source "$(dirname "$0")/lib/common.bash"

if [ -z "${DS_PRIVATE_MOUNTS:-}" ]; then
    exec env DS_PRIVATE_MOUNTS=1 unshare -m --propagation private bash "$self" ||
        fail "unshare -m failed (the test needs root to mount a small tmpfs)"
fi
mkdir small
mount -t tmpfs -o size=1m tmpfs small || fail "cannot mount a tmpfs on $PWD/small"

run=(--data blobs:n=200 --model mlp:2-64-3 --batch 16 --threads 1)
"$DESCENT" train "${run[@]}" --epochs 1 --save small/m.ckpt >/dev/null
cp small/m.ckpt m.orig
fill() { dd if=/dev/zero of=small/fill bs=4k >/dev/null 2>&1 || true; } # fills it up (ENOSPC)

for out in --save --checkpoint; do
    fill
    cmd=("$DESCENT" train --resume small/m.ckpt --epochs 2 --threads 1 "$out" small/m.ckpt)
    expect_exit 1 "${cmd[@]}"
    need=$(sed -n 's/.*small\/m.ckpt: needs \([0-9]*\) bytes.*/\1/p' <<<"$err")
    [ -n "$need" ] || fail "$out: no byte count in: $err"
    expect_in "$err" "of disk space; folder '"
    expect_in "$err" "small' has"
    cmp -s small/m.ckpt m.orig || fail "$out: the previous checkpoint changed"
    left=$(ls -A small | grep '\.tmp\.' || true)
    [ -z "$left" ] || fail "$out left a temporary file: $left"
    # with room again, the same command writes exactly the bytes it said it needed
    rm small/fill
    expect_exit 0 "${cmd[@]}"
    [ "$(stat -c %s small/m.ckpt)" = "$need" ] ||
        fail "$out: said it needed $need bytes, wrote $(stat -c %s small/m.ckpt)"
    cp m.orig small/m.ckpt
done
echo "ok"
