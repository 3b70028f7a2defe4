# mpi.sh - data-parallel training (doc/distributed.md): `mpirun -np 2`
# (and 3, uneven shares; batch 1, empty shares) gives the per-epoch losses
# of one process (descent without mpirun) within 1e-5 relative and the
# final parameters within 1e-4, for mean and summed losses with L2,
# in-memory and streamed data; a run checkpointed with 2 ranks resumes with
# 1 and with 3. The results do not depend on timing: how a job stops (bad
# input, divergence, a killed rank) is mpi_stop.sh, in the stress stage.
source "$(dirname "$0")/lib/common.bash"
source "$DS_LIB/mpi.bash"

# same LOG_A LOG_B CKPT_A CKPT_B: per-epoch train_loss within 1e-5 relative,
# "model.params" of the two checkpoints within 1e-4 (layout: checkpoint.h).
same() {
    python3 - "$@" <<'EOF' || fail "runs differ: $*"
import csv, struct, sys
la, lb, ca, cb = sys.argv[1:]
ra, rb = list(csv.DictReader(open(la))), list(csv.DictReader(open(lb)))
assert len(ra) == len(rb) and len(ra) > 0, (len(ra), len(rb))
for a, b in zip(ra, rb):
    x, y = float(a["train_loss"]), float(b["train_loss"])
    assert abs(x - y) <= 1e-5 * max(abs(x), abs(y)), ("loss", a["epoch"], x, y)
def params(path):
    data = open(path, "rb").read()
    assert data[:8] == b"DESCENT\x1a"
    nrec, at = struct.unpack_from("<I", data, 12)[0], 32
    for _ in range(nrec):
        n = struct.unpack_from("<I", data, at)[0]
        name = data[at + 4:at + 4 + n].decode()
        typ, count = struct.unpack_from("<IQ", data, at + 4 + n)
        at += 4 + n + 12
        size = count * (4, 8, 8, 1)[typ]
        if name == "model.params":
            return struct.unpack_from("<%df" % count, data, at)
        at += size
    raise SystemExit("no model.params in " + path)
pa, pb = params(ca), params(cb)
assert len(pa) == len(pb) and len(pa) > 0
worst = max(abs(a - b) for a, b in zip(pa, pb))
assert worst <= 1e-4, ("params", worst)
print("same: %d epochs, %d params, max |dparam| %.2e" % (len(ra), len(pa), worst))
EOF
}

# one NP ARGS...: NP ranks under mpirun, or for NP = 1 one process without it
one() {
    local np=$1; shift
    if [ "$np" = 1 ]; then "$DESCENT" "$@"; else mpi "$np" "$@"; fi
}

# -- mean loss (xent) with L2: 1 vs 2 vs 3 ranks (batch 50: shares 25/25, 17/17/16)
blobs=(train --data blobs:n=1000,features=4,classes=3,seed=3 --model mlp:4-16-3 --l2 0.01
       --epochs 3 --batch 50 --opt adam:lr=0.01 --threads 1)
for np in 1 2 3; do
    one "$np" "${blobs[@]}" --log "x$np.csv" --save "x$np.ckpt" >"x$np.out"
done
same x1.csv x2.csv x1.ckpt x2.ckpt
same x1.csv x3.csv x1.ckpt x3.ckpt
cmp -s x1.ckpt x2.ckpt && fail "1 and 2 ranks gave bit-identical files: was anything distributed?"
# The closing summary ("no test split: ..." here: blobs without test=) comes once.
[ "$(grep -c 'final train_loss' x2.out)" -eq 1 ] || fail "rank 0 alone must print: $(cat x2.out)"

# -- summed loss (sse) with L2, and batch 1 (rank 1's share always empty)
linear=(train --data linear:n=300,features=3,seed=5 --model neuron --loss sse --l2 0.1
        --epochs 2 --opt sgd:lr=0.001 --threads 1)
for np in 1 2; do
    one "$np" "${linear[@]}" --batch 40 --log "s$np.csv" --save "s$np.ckpt" >/dev/null
    one "$np" "${linear[@]}" --batch 1 --log "b$np.csv" --save "b$np.ckpt" >/dev/null
done
same s1.csv s2.csv s1.ckpt s2.ckpt
same b1.csv b2.csv b1.ckpt b2.ckpt

# -- a stream file: each rank reads its share of every batch from disk
"$DESCENT" gen blobs --rows 2000 --features 4 --classes 3 --block 128 -o b.ds >/dev/null
stream=(train --data stream:b.ds,window=4 --model mlp:4-8-3 --epochs 2 --batch 64 --threads 1)
one 1 "${stream[@]}" --log t1.csv --save t1.ckpt >/dev/null
mpi 2 "${stream[@]}" --log t2.csv --save t2.ckpt >/dev/null
same t1.csv t2.csv t1.ckpt t2.ckpt

# -- checkpoint with 2 ranks after 2 epochs, resume with 1 and with 3 for
#    the third (a plain resume: threads and options from the checkpoint)
mpi 2 "${blobs[@]}" --epochs 2 --checkpoint r.ckpt >/dev/null
cp r.ckpt r2.ckpt
tail -n 1 x1.csv >x1.last && { head -n 1 x1.csv; cat x1.last; } >x1.tail
for np in 1 3; do
    cp r2.ckpt "r$np.ckpt"
    one "$np" train --resume "r$np.ckpt" --epochs 3 --log "r$np.csv" --save "r${np}e3.ckpt" >/dev/null
    same x1.tail "r$np.csv" x1.ckpt "r${np}e3.ckpt"
done
echo "ok"
