# backends_agree.sh - the two compute backends (oneDNN, OpenBLAS) train the
# same: the same runs on this build and on the other backend's build give
# the same per-epoch train and validation losses within 1e-5 relative (they
# only sum in different orders). The other build's program comes in
# DS_OTHER_DESCENT (tools/test.sh's openblas stage sets it); without it the
# test is skipped (exit 77). The runs: full-batch softmax regression with
# adam (the bias gradient summed in double), hidden tanh layers with
# momentum and a sigmoid layer with adam on mini-batches (each activation
# the oneDNN backend fuses into its product).
source "$(dirname "$0")/lib/common.bash"

if [ -z "${DS_OTHER_DESCENT:-}" ]; then
    echo "SKIP: DS_OTHER_DESCENT (the other backend's descent) is not set"
    exit 77
fi
[ -x "$DS_OTHER_DESCENT" ] || fail "DS_OTHER_DESCENT=$DS_OTHER_DESCENT is not a program"
ours=$("$DESCENT" --version | sed -n 's/^backend: \([a-z]*\):.*/\1/p')
theirs=$("$DS_OTHER_DESCENT" --version | sed -n 's/^backend: \([a-z]*\):.*/\1/p')
[ -n "$ours" ] && [ -n "$theirs" ] || fail "no backend in --version: '$ours', '$theirs'"
if [ "$ours" = "$theirs" ]; then
    echo "SKIP: DS_OTHER_DESCENT has this build's backend ($ours); nothing to compare"
    exit 77
fi

runs=(
    "--model mlp:784-10 --init zeros --batch full --val 0 --opt adam:lr=0.01 --epochs 4"
    "--model mlp:784-64-32-10 --act tanh --batch 500 --val 0.1 --opt momentum:lr=0.05 --epochs 2"
    "--model mlp:784-64-10 --act sigmoid --batch 256 --val 0.1 --opt adam:lr=1e-3 --epochs 2"
)
for i in "${!runs[@]}"; do
    read -ra args <<<"${runs[i]}"
    quiet "$DESCENT" train --data fashion-mnist "${args[@]}" --log "$ours$i.csv" >"$ours$i.out"
    quiet "$DS_OTHER_DESCENT" train --data fashion-mnist "${args[@]}" --log "$theirs$i.csv" \
        >"$theirs$i.out"
    [ "$(wc -l <"$ours$i.csv")" -gt 2 ] || fail "run $i logged no epochs: $(cat "$ours$i.csv")"
    # epoch (1), train_loss (4), val_loss (5) of both, side by side
    paste -d, <(tail -n +2 "$ours$i.csv" | cut -d, -f1,4,5) <(tail -n +2 "$theirs$i.csv" | cut -d, -f1,4,5) |
        awk -F, -v run="$i" '
            function rel(a, b) { d = (a - b) / b; return d < 0 ? -d : d }
            { if ($1 != $4 || rel($2, $5) > 1e-5 || ($3 != "" && rel($3, $6) > 1e-5)) {
                  print "run " run " epoch " $1 ": " $2 "," $3 " vs " $5 "," $6; bad = 1 } }
            END { exit bad }' || fail "losses differ between $ours and $theirs: ${runs[i]}"
done
echo "ok: $ours and $theirs agree on ${#runs[@]} runs"
