# resume_rules.sh - `descent train --resume FILE` never silently differs
# from the run FILE recorded (doc/training.md, "Resume"): every option the
# checkpoint fixes, given again with another value, is refused (exit 2,
# naming the option, the recorded and the given value, nothing written) and
# accepted with the same value; a plain resume uses the recorded thread
# count (same bits as the uninterrupted run) and finds its data from any
# working folder (paths recorded absolute); it goes on writing the
# checkpoint it recorded, and says so when nothing will be saved;
# --threads and --fine-tune-lr change what they say, with a note or in the
# log.
source "$(dirname "$0")/lib/common.bash"

# params FILE: a digest of the record "model.params" (format: checkpoint.h)
params() {
    python3 - "$1" <<'EOF'
import hashlib, struct, sys
d = open(sys.argv[1], "rb").read()
n, at = struct.unpack_from("<I", d, 12)[0], 32
for _ in range(n):
    ln = struct.unpack_from("<I", d, at)[0]
    name = d[at + 4:at + 4 + ln].decode()
    typ, cnt = struct.unpack_from("<IQ", d, at + 4 + ln)
    size, at = cnt * (4, 8, 8, 1)[typ], at + 16 + ln
    if name == "model.params":
        print(hashlib.sha256(d[at:at + size]).hexdigest())
    at += size
EOF
}

mkdir -p a b
python3 - >a/d.csv <<'EOF'
import random
random.seed(1)
print("a,b,c,d,label")
for i in range(300):
    k = random.randrange(3)
    print(",".join("%.3f" % random.gauss(2 * k, 1) for _ in range(4)) + ",%d" % k)
EOF
(cd a && "$DESCENT" train --data csv:d.csv --model mlp:4-16-3 --epochs 2 --opt sgd:lr=0.1 \
    --threads 1 --checkpoint r.ckpt >/dev/null) || fail "the first run failed"

# --- a different value of a fixed option: exit 2 naming it, nothing written
refused() { # OPTION VALUE RECORDED
    expect_exit 2 "$DESCENT" train --resume a/r.ckpt --epochs 3 "--$1" "$2" --save x.ckpt
    expect_in "$err" "--$1 $2 differs from a/r.ckpt, which recorded $3"
    [ ! -e x.ckpt ] || fail "--$1 $2: a refused resume wrote x.ckpt"
}
refused act tanh relu
refused loss mse xent
refused l2 0.1 0
refused init xavier default
refused seed 3 0
refused batch 32 64
refused opt sgd:lr=0.2 sgd:lr=0.1
refused schedule step:every=1 constant
refused schedule-unit step epoch
refused val 0.1 0
refused data csv:b/d.csv "csv:$DS_TMP/a/d.csv"
refused plateau 0.5 0
refused ema 0.9 0

# --- the same values again are fine
expect_exit 0 "$DESCENT" train --resume a/r.ckpt --epochs 3 --act relu --loss xent --l2 0 \
    --init default --seed 0 --batch 64 --opt sgd:lr=0.1 --schedule constant --schedule-unit epoch \
    --val 0 --data csv:a/d.csv --plateau 0 --ema 0 --save same.ckpt

# --- from another working folder: the recorded data path is absolute; the
#     run goes on writing the checkpoint it recorded (a/r.ckpt, step 15)
cp a/r.ckpt start.ckpt
(cd b && expect_exit 0 "$DESCENT" train --resume ../start.ckpt --epochs 3)
expect_in "$err" "goes on writing its checkpoint $DS_TMP/a/r.ckpt"
expect_in "$("$DESCENT" train --resume a/r.ckpt --epochs 3 --save z.ckpt 2>&1)" '3 epochs, 15 steps'

# --- nothing recorded, nothing asked: saying so
"$DESCENT" train --data csv:a/d.csv --model mlp:4-16-3 --epochs 1 --save plain.ckpt >/dev/null
expect_exit 0 "$DESCENT" train --resume plain.ckpt --epochs 2
expect_in "$err" "nothing will be saved (no --save or --checkpoint)"

# --- the thread count: a plain resume uses the recorded one (bit for bit the
#     uninterrupted run's); another one is allowed, with a note
big=(--data blobs:n=2000,features=16,classes=3 --model mlp:16-256-256-3 --batch 256)
"$DESCENT" train "${big[@]}" --epochs 2 --threads 1 --save t1.ckpt >/dev/null
"$DESCENT" train "${big[@]}" --epochs 1 --threads 1 --save t1half.ckpt >/dev/null
"$DESCENT" train --resume t1half.ckpt --epochs 2 --save t1res.ckpt >/dev/null
[ "$(params t1.ckpt)" = "$(params t1res.ckpt)" ] ||
    fail "a plain resume of a --threads 1 run differs from the uninterrupted run"
expect_exit 0 "$DESCENT" train --resume t1half.ckpt --epochs 2 --threads 2 --save t2res.ckpt
expect_in "$err" "written with 1 threads, this run uses 2: the results may differ in the last bits"

# --- --fine-tune-lr: the rate changes (the log says so), and stays changed in
#     a later resume; without --resume it is refused
"$DESCENT" train --data csv:a/d.csv --model mlp:4-16-3 --epochs 1 --opt adam:lr=0.01 \
    --save ft1.ckpt >/dev/null
expect_exit 0 "$DESCENT" train --resume ft1.ckpt --epochs 2 --fine-tune-lr 0.001 --log ft.csv \
    --save ft2.ckpt
[ "$(tail -1 ft.csv | cut -d, -f1,3)" = "2,0.001" ] || fail "fine-tuned epoch: $(cat ft.csv)"
expect_exit 0 "$DESCENT" train --resume ft2.ckpt --epochs 3 --log ft3.csv --save ft3.ckpt
[ "$(tail -1 ft3.csv | cut -d, -f1,3)" = "3,0.001" ] || fail "resumed fine-tuned run: $(cat ft3.csv)"
expect_exit 2 "$DESCENT" train --data csv:a/d.csv --model mlp:4-16-3 --fine-tune-lr 0.1
expect_in "$err" "--fine-tune-lr needs --resume"
echo "ok"
