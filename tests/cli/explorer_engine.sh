#!/usr/bin/env bash
# explorer_engine.sh - the explorer's engine (build/explorer.wasm, descent's
# C code compiled to WebAssembly) under node prints, for every case below,
# the same bytes as `descent trace` with the same arguments: built-in
# functions and expressions, every family of rules, schedules, a diverging
# path; and it refuses what trace refuses, with the same message. Functions
# built from sin, cos or tanh agree to 1e-12 instead (the wasm libm is
# musl's, the program's is glibc's; doc/explorer.md). Skips if the build
# had no wasm32 toolchain or node is missing (tools/deps.sh installs both).
source "$(dirname "$0")/lib/common.bash"
: "${DS_BUILD_DIR:?run through ctest}"
wasm=$DS_BUILD_DIR/explorer.wasm
if [ ! -f "$wasm" ] || ! command -v node >/dev/null; then
    echo "SKIP: no explorer.wasm or node (tools/deps.sh installs clang's wasm32 target and nodejs)"
    exit 0
fi

same() { # same FN X,Y STEPS OPT [SCHEDULE [NOISE SEED]]
    local sched=()
    [ -z "${5:-}" ] || sched=(--schedule "$5")
    [ -z "${6:-}" ] || sched+=(--noise "$6" --seed "$7")
    set +e
    "$DESCENT" trace --fn "$1" --start "$2" --steps "$3" --opt "$4" "${sched[@]}" >trace.csv 2>trace.err
    local rc=$?
    set -e
    [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || fail "trace $*: exit $rc: $(cat trace.err)"
    quiet node "$DS_LIB/engine.mjs" "$wasm" "$@" >engine.csv
    cmp -s trace.csv engine.csv || fail "engine differs from trace for $*: $(diff trace.csv engine.csv | head -4)"
    [ "$(wc -l <engine.csv)" -ge 2 ] || fail "engine printed no rows for $*"
}
same rosenbrock -1.5,2 500 adam:lr=0.05
same rosenbrock -1.5,2 300 sgd:lr=0.001,momentum=0.9,nesterov=1
same neuron -4,4 300 sgd:lr=1,momentum=0.9,momentum_schedule=sutskever
same beale 1,1.5 200 rmsprop:lr=0.01,centered=1,eps_inside=1
same himmelblau 0,0 200 nag:lr=0.01,momentum=0.9
same booth 0,0 100 adagrad:lr=1 cosine:period=100
same quadratic -5,-2 100 adamw:lr=0.1,weight_decay=0.1 warmup:steps=10+exp:k=0.01
same saddle 1,0.001 100 nadam:lr=0.05
same quadratic -5,-2 100 radam:lr=0.1
same beale 1,1 100 adamax:lr=0.05,clip_norm=1
same himmelblau 1,1 100 adadelta:lr=1
same rosenbrock 0,0 100 lion:lr=0.01
same neuron 2,2 50 linesearch
same rosenbrock -1.5,2 100 amsgrad:lr=0.05 step:every=20,factor=0.5
same '(1 - x)^2 + 100*(y - x^2)^2' -1.5,2 200 adam:lr=0.05
same 'x^2 + 10*y^2 + exp(x/4) - log(1 + y^2) + sqrt(1 + abs(x*y))' 2,1 200 rmsprop_nesterov:lr=0.01
same 'x^2 + 10*y^2' 1,1 50 sgd:lr=0.2 # diverges: exit 3 and the rows up to there
same rosenbrock -1.5,2 300 sgd:lr=0.001,momentum=0.9 '' 2 7 # seeded gradient noise
same neuron -4,4 200 nag:lr=0.5 cosine:period=200 0.3 12345

# sin, cos, tanh: the same path to 1e-12 relative
quiet "$DESCENT" trace --fn 'sin(x)*cos(y) + tanh(x/3)' --start -1.5,2 --steps 200 --opt adam:lr=0.05 >trace.csv
quiet node "$DS_LIB/engine.mjs" "$wasm" 'sin(x)*cos(y) + tanh(x/3)' -1.5,2 200 adam:lr=0.05 >engine.csv
python3 - trace.csv engine.csv <<'PY' || fail "trig expression: engine and trace differ beyond 1e-12"
import sys
a, b = (open(p).read().split() for p in sys.argv[1:])
assert len(a) == len(b) == 202, (len(a), len(b))
for ra, rb in zip(a[1:], b[1:]):
    for u, v in zip(ra.split(","), rb.split(",")):
        assert abs(float(u) - float(v)) <= 1e-12 * max(1.0, abs(float(u))), (ra, rb)
PY

# refusals: the engine's message is the library's, as trace prints it
refused() { # refused WHAT FN OPT SCHEDULE: engine exits 2 and its message matches trace's
    local sched=()
    [ -z "$4" ] || sched=(--schedule "$4")
    expect_exit 2 node "$DS_LIB/engine.mjs" "$wasm" "$2" 0,0 5 "$3" "$4"
    local engine_err=$err
    expect_exit 2 "$DESCENT" trace --fn "$2" --start 0,0 --steps 5 --opt "$3" "${sched[@]}"
    expect_in "$err" "${engine_err}"
}
refused --fn 'x^2 +' sgd ''
refused --fn rosenbrok sgd ''
refused --opt rosenbrock adam:beta1=1 ''
refused --schedule rosenbrock sgd cosine:period=0
