# checkpoint_bad.sh - `descent train --resume` with a bad checkpoint: a
# truncated file, a flipped bit (payload CRC), a damaged header, another
# format version (header CRC recomputed, so the version check itself must
# catch it), another model, another optimizer, another batch size. Each
# ends with exit 2 and a message saying which; the file is byte for byte
# as it was (also when it is the --checkpoint path too), and no --save,
# --log or --checkpoint file appears.
source "$(dirname "$0")/lib/common.bash"

run=(--data blobs:n=200 --model mlp:2-8-3 --opt adam:lr=0.01 --batch 16 --epochs 2 --threads 1)
"$DESCENT" train "${run[@]}" --save good.ckpt >/dev/null
"$DESCENT" train --resume good.ckpt --epochs 3 --threads 1 --save resumed.ckpt >/dev/null ||
    fail "the good checkpoint does not resume"

# patch FILE OFFSET BYTES_HEX [rehash]: overwrite bytes; with rehash, store
# a fresh CRC-32 of the header (bytes 0..27) at 28, as a real writer would.
patch() {
    python3 - "$@" <<'EOF'
import struct, sys, zlib
path, off, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
d = bytearray(open(path, "rb").read())
d[off:off + len(data)] = data
if len(sys.argv) > 4:
    d[28:32] = struct.pack("<I", zlib.crc32(bytes(d[:28])))
open(path, "wb").write(d)
EOF
}

size=$(stat -c %s good.ckpt)
head -c $((size - 100)) good.ckpt >truncated.ckpt
head -c 20 good.ckpt >short.ckpt
cp good.ckpt flipped.ckpt
byte=$(od -An -tx1 -j $((size / 2)) -N1 flipped.ckpt | tr -d ' ')
patch flipped.ckpt $((size / 2)) "$(printf '%02x' $((0x$byte ^ 0x10)))"
cp good.ckpt header.ckpt && patch header.ckpt 12 ff
cp good.ckpt v2.ckpt && patch v2.ckpt 8 02000000 rehash
cmp -s good.ckpt flipped.ckpt && fail "the bit flip did not change the file"

# bad_resume FILE NEEDLE [ARGS...]: exit 2, NEEDLE in the message, FILE
# unchanged, no output written.
bad_resume() {
    local file=$1 needle=$2; shift 2
    cp "$file" orig.bak
    expect_exit 2 "$DESCENT" train --resume "$file" --threads 1 "$@" --save out.ckpt \
        --log out.csv --checkpoint out-ck.ckpt
    expect_in "$err" "$needle"
    expect_in "$err" "$file"
    cmp -s "$file" orig.bak || fail "--resume $file changed the file"
    for f in out.ckpt out.csv out-ck.ckpt; do [ ! -e "$f" ] || fail "$file: wrote $f"; done
    ! ls ./*.tmp.* >/dev/null 2>&1 || fail "$file: left a temporary file"
    # as the --checkpoint path too (the usual way to continue a run)
    expect_exit 2 "$DESCENT" train --resume "$file" --threads 1 "$@" --checkpoint "$file"
    cmp -s "$file" orig.bak || fail "--resume $file --checkpoint $file changed the file"
}

bad_resume truncated.ckpt "truncated checkpoint"
bad_resume short.ckpt "truncated checkpoint (incomplete header)"
bad_resume flipped.ckpt "payload CRC mismatch"
bad_resume header.ckpt "header CRC mismatch"
bad_resume v2.ckpt "format version 2, this build reads version 1"
bad_resume good.ckpt "checkpoint is for model 'mlp:2-8-3" --model mlp:2-4-3
bad_resume good.ckpt "--opt sgd:lr=0.01 differs from good.ckpt, which recorded adam:lr=0.01" --opt sgd:lr=0.01
bad_resume good.ckpt "--batch 32 differs from good.ckpt, which recorded 16" --batch 32
echo "ok"
