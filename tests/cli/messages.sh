# messages.sh - what descent prints says what it measured, compactly:
# --version, huge losses as %g numbers, bench train without a test split,
# and the Ctrl-C message on a clean line after the progress bar (issue 15).
source "$(dirname "$0")/lib/common.bash"

expect_exit 0 "$DESCENT" --version
[[ "$out" =~ ^descent\ [0-9]+\.[0-9]+\.[0-9]+$'\n'backend:\ (onednn:\ oneDNN|openblas:\ OpenBLAS)\  ]] ||
    fail "--version printed: $out"

# a finite but huge loss (weights 1e15, no learning to speak of) in a few digits
expect_exit 0 "$DESCENT" train --data linear --model mlp:3-1 --loss mse --init const:1e15 \
    --epochs 1 --opt sgd:lr=1e-40
expect_in "$out" "train_loss 4.02271e+30  "
expect_in "$out" "final train_loss 4.02271e+30  "

# bench train reports what it measured: no test split is not an accuracy of nan
expect_exit 0 "$DESCENT" bench train --data blobs --model mlp:2-3 --epochs 1
expect_in "$out" "no test split"
case "$out" in *nan*) fail "bench train printed nan: $out" ;; esac

# Ctrl-C while the bar is drawn (a terminal: a pty): the bar's line is
# cleared before the message, so the message starts a clean line.
python3 - "$DESCENT" <<'PY' || fail "Ctrl-C message and progress bar: see above"
import os, pty, signal, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "train", "--data", "blobs:n=400000", "--model",
                           "mlp:2-64-3", "--epochs", "50", "--threads", "1"])
seen = b""
while b"ex/s" not in seen:  # the bar is on screen
    seen += os.read(fd, 4096)
os.kill(pid, signal.SIGINT)
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
msg = seen.rfind(b"descent train: interrupted")
if os.waitstatus_to_exitcode(status) != 130 or msg < 0:
    sys.exit("no interrupt message or exit 130: %r" % seen[-300:])
if seen.rfind(b"\r\x1b[K", 0, msg) < seen.rfind(b"ex/s", 0, msg) or b"\x1b[K" in seen[msg:]:
    sys.exit("the message shares the bar's line: %r" % seen[-300:])
PY
echo "ok"
