# train_opts.sh - the training options that `descent train`, `descent tune`
# and `descent bench train` share (src/cli/train_opts.c) are checked the
# same way by all three: the same bad value gives exit status 2 and the same
# one-line message after "descent CMD: ", naming the option ("--opt: ...").
source "$(dirname "$0")/lib/common.bash"

run_all() { # run_all NEEDLE ARGS...: each command rejects ARGS with the same message
    local needle=$1 first="" cmd msg; shift
    for cmd in train tune "bench train"; do
        # shellcheck disable=SC2086
        expect_exit 2 "$DESCENT" $cmd --data blobs:n=60 --model mlp:2-3 --threads 1 "$@"
        [ -z "$out" ] || fail "$cmd $*: wrote to stdout: $out"
        [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$cmd $*: not one line: $err"
        expect_in "$err" "descent ${cmd%% *}: $needle"
        msg=${err#"descent ${cmd%% *}: "}
        [ -z "$first" ] && first=$msg
        [ "$msg" = "$first" ] || fail "$cmd $*: '$msg' differs from train's '$first'"
    done
}
run_all "--opt: adam: beta2 must be in [0, 1) (got 1.5)" --opt adam:beta2=1.5
run_all "--opt: unknown optimizer 'foo'" --opt foo
run_all "--act: unknown activation 'relux'" --act relux
run_all "--batch: batch size '0x10'" --batch 0x10
run_all "--seed must be >= 0 (got -1)" --seed -1
run_all "--threads must be 0..4096 (got 5000)" --threads 5000
run_all "model 'mlp:5-3' has 5 inputs but the data has 2" --model mlp:5-3
run_all "data spec 'nosuchdata': unknown data set" --data nosuchdata

# train and tune only (bench train has no such options)
for cmd in train tune; do
    expect_exit 2 "$DESCENT" $cmd --data blobs:n=60 --model mlp:2-3 --schedule foo
    expect_in "$err" "descent $cmd: --schedule: unknown schedule 'foo'"
    expect_exit 2 "$DESCENT" $cmd --data blobs:n=60 --model mlp:2-3 --loss nope
    expect_in "$err" "descent $cmd: --loss: "
    expect_exit 2 "$DESCENT" $cmd --data blobs:n=60 --model mlp:2-3 --schedule-unit day
    expect_in "$err" "descent $cmd: --schedule-unit must be step or epoch (got 'day')"
done
echo "train_opts.sh: all checks passed"
