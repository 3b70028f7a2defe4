# chaos_kill.sh - SIGKILL at 20 seeded random moments: one training run is
# killed 20 times, each time resumed from its last checkpoint, and the last
# resume ends bit for bit on the uninterrupted run (every record of the final
# file: parameters, optimizer state, EMA, plateau scale, schedule, position;
# only the timings may differ). For each kill a seeded RNG picks how many
# steps past the last checkpoint the next one must reach (0-15; 0 kills the
# resumed process as it starts) and a delay of 0-20 ms after it does, so
# kills land anywhere: mid-step, mid-write, while a checkpoint is read.
# Where exactly a kill lands depends on the machine; the checks hold
# wherever it lands (no timed assertion). DS_CHAOS_SEED picks other moments.
source "$(dirname "$0")/lib/common.bash"

# 900 training rows (1000 less 10% for validation; 100 test rows more),
# batch 16: 57 steps an epoch (the last one partial), 684 in all;
# checkpoints every 5 steps and at epoch ends. Adam, a per-step warm-up +
# cosine schedule, EMA and plateau, so any state a resume loses changes the
# result.
run=(--data blobs:n=1000,features=4,test=100,seed=5 --model mlp:4-32-32-3 --threads 1
     --batch 16 --seed 9 --val 0.1 --plateau 0.5 --ema 0.9 --opt adam:lr=0.01
     --schedule warmup:steps=11+cosine:period=300 --schedule-unit step --epochs 12)
quiet "$DESCENT" train "${run[@]}" --save ref.ckpt >/dev/null

python3 - "$DS_LIB" "${DS_CHAOS_SEED:-15}" "$DESCENT" train "${run[@]}" <<'EOF'
import glob, os, random, subprocess, sys
sys.path.insert(0, sys.argv[1])
from ckpt import digest, kill_when, position, step_or_none

seed, first = int(sys.argv[2]), sys.argv[3:]
ck_args = ["--checkpoint", "ck.ckpt", "--checkpoint-every", "5", "--save", "final.ckpt"]
resume = [first[0], "train", "--resume", "ck.ckpt", "--threads", "1"] + ck_args

def fail(msg):
    err = open("run.err").read() if os.path.exists("run.err") else ""
    sys.exit("FAIL: %s; stderr of the last run: %s" % (msg, err))

total = position("ref.ckpt")[2]
if total != 684:
    fail("the uninterrupted run made %d steps, expected 684" % total)

rng = random.Random(seed)
cmd, last, steps, in_write = first + ck_args, 0, [], 0
for _ in range(20):
    # the last 150 steps stay free, so the run cannot finish before its kill
    # even if this poll is not scheduled for a while
    target = min(last + rng.randint(0, 15), total - 150)
    rc = kill_when(lambda: (step_or_none("ck.ckpt") or 0) >= target, cmd,
                   delay=rng.uniform(0, 0.02))
    if rc != -9:
        fail("the run was not killed after step %d (exit %d)" % (target, rc))
    step = position("ck.ckpt")[2]  # must load whatever the kill interrupted
    if step < max(last, target):
        fail("checkpoint at step %d after the kill at %d (before it: %d)" % (step, target, last))
    if os.path.exists("final.ckpt"):
        fail("a killed run wrote --save")
    tmp = glob.glob("ck.ckpt.tmp.*")  # left by a kill inside a write
    in_write += bool(tmp)
    for t in tmp:
        os.remove(t)
    last, cmd = step, resume
    steps.append(step)
with open("run.err", "wb") as err:
    if subprocess.run(resume, stdout=subprocess.DEVNULL, stderr=err).returncode != 0:
        fail("the last resume failed")
ref, got = digest("ref.ckpt"), digest("final.ckpt")
if ref != got:
    fail("differs from the uninterrupted run: %s" % sorted(set(ref) ^ set(got)))
print("ok: 20 kills (seed %d; %d inside a checkpoint write), checkpoint steps after them %s"
      % (seed, in_write, steps))
EOF
