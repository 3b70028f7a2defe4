# train_softmax.sh - softmax regression on Fashion-MNIST against PyTorch 1.13:
# `mlp:784-10 --init zeros --batch full --val 0`, 20 epochs, with sgd
# (lr 0.1), momentum (lr 0.1, 0.9) and adam (lr 0.01); every epoch's
# train_loss (the mean loss its forward pass computed, before the update)
# within 1e-4 relative of torch's, stored by tools/torch_softmax.py in
# tests/data/train/softmax_fmnist_RULE.csv. Adam turns float32 noise in a
# gradient whose exact value is 0 into whole lr steps, so it needs the bias
# gradient summed in double over the 60,000 rows (issue 11).
# Full-batch, so cheap: about 5 s a rule on 2 cores.
source "$(dirname "$0")/lib/common.bash"

declare -A opts=([sgd]=sgd:lr=0.1 [momentum]=sgd:lr=0.1,momentum=0.9 [adam]=adam:lr=0.01)
for rule in sgd momentum adam; do
    "$DESCENT" train --data fashion-mnist --model mlp:784-10 --init zeros --batch full --val 0 \
        --opt "${opts[$rule]}" --epochs 20 --log "$rule.csv" >/dev/null
    ref="$DS_TEST_DATA/train/softmax_fmnist_$rule.csv"
    [ "$(wc -l <"$rule.csv")" = 21 ] || fail "$rule: expected 20 log rows: $(cat "$rule.csv")"
    # join ours (epoch, train_loss = column 4) with torch's (epoch, train_loss)
    paste -d, <(tail -n +2 "$rule.csv" | cut -d, -f1,4) <(tail -n +2 "$ref") |
        awk -F, -v rule="$rule" '{ rel = ($2 - $4) / $4; if (rel < 0) rel = -rel;
                   if ($1 != $3 || rel > 1e-4) { print rule " epoch " $1 ": " $2 " vs torch " $4 " (rel " rel ")"; bad = 1 } }
                 END { exit bad }' || fail "$rule: train losses differ from PyTorch"
done
echo "ok"
