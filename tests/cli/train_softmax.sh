# train_softmax.sh - softmax regression on Fashion-MNIST against PyTorch 1.13:
# `mlp:784-10 --init zeros --batch full --val 0 --opt sgd:lr=0.1`, 20 epochs;
# every epoch's train_loss (the mean loss its forward pass computed, before
# the update) within 1e-4 relative of torch's, stored by
# tools/torch_softmax.py in tests/data/train/softmax_fmnist_sgd.csv.
# Full-batch, so cheap: about 5 s on 2 cores.
source "$(dirname "$0")/lib/common.bash"

"$DESCENT" train --data fashion-mnist --model mlp:784-10 --init zeros --batch full --val 0 \
    --opt sgd:lr=0.1 --epochs 20 --log softmax.csv >/dev/null
ref="$DS_TEST_DATA/train/softmax_fmnist_sgd.csv"
[ "$(wc -l <softmax.csv)" = 21 ] || fail "expected 20 log rows: $(cat softmax.csv)"
# join ours (epoch, train_loss = column 4) with torch's (epoch, train_loss)
paste -d, <(tail -n +2 softmax.csv | cut -d, -f1,4) <(tail -n +2 "$ref") |
    awk -F, '{ rel = ($2 - $4) / $4; if (rel < 0) rel = -rel;
               if ($1 != $3 || rel > 1e-4) { print "epoch " $1 ": " $2 " vs torch " $4 " (rel " rel ")"; bad = 1 } }
             END { exit bad }' || fail "train losses differ from PyTorch"
echo "ok"
