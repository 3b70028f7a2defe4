#!/usr/bin/env bash
# test.sh - the whole test suite: README's second command and .ci/run.
#
# Stages (each prints one "== stage" summary line; the script ends with a
# table and exits non-zero if any stage failed):
#   deps      tools/deps.sh installs the Debian packages
#   test      -Werror build in build-test/, the whole ctest suite
#   openblas  the same on the OpenBLAS backend (-DDESCENT_BACKEND=openblas)
#             in build-openblas/; its cli_backends_agree compares the
#             losses of both builds' programs
#   stress    the timing-sensitive tests of build-test/ (ctest label
#             "timing": signals, kill and resume, MPI) 10 times each while
#             two busy loops hold the CPUs; every run must pass
#   install   tools/check-install.sh: staging install, consumer programs
#             (pkg-config and find_package), man page, the .deb
#   asan      ASan + UBSan build in build-asan/, the whole ctest suite but
#             the browser tests (label "browser": their descent side runs
#             in other tests, chromium is not ASan-built)
#   valgrind  memcheck over the unit tests and fuzz replays of build-test/
#   fuzz      clang libFuzzer build in build-fuzz/, each harness for
#             DS_FUZZ_SECONDS on a temporary copy of its seed corpus
# Knobs (environment): DS_STAGES="test asan" runs a subset (deps always
# runs); DS_CTEST_JOBS (default DS_JOBS + 1) tests at a time in the test,
# openblas and asan stages; DS_FUZZ_SECONDS (default 10; a real campaign: DS_FUZZ_SECONDS=3600
# DS_STAGES=fuzz); DS_JOBS (default nproc);
# DS_STRESS_REPEAT (default 10) runs of each test in the stress stage;
# DS_VALGRIND_TIMEOUT per test in seconds (default 900). doc/testing.md
# explains each stage.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${DS_JOBS:-$(nproc)}
# One test more than CPUs: many tests wait (process start-up, chromium,
# mpirun, fsync, polls), and the extra one fills those gaps.
ctest_jobs=${DS_CTEST_JOBS:-$((jobs + 1))}
stages=${DS_STAGES:-test openblas stress install asan valgrind fuzz}
fuzz_seconds=${DS_FUZZ_SECONDS:-10}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/descent-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
summary=()
failed=0

# run_stage NAME FUNCTION: runs a stage, times it, records PASS or FAIL.
run_stage() {
    local name=$1 start=$SECONDS status
    echo "== stage $name: start"
    if ( "$2" ); then status=PASS; else status=FAIL; failed=1; fi
    local line
    line=$(printf '%-9s %s (%d s)' "$name" "$status" $((SECONDS - start)))
    echo "== stage $line"
    summary+=("$line")
}

wanted() { [[ " $stages " == *" $1 "* ]]; }

stage_deps() { bash tools/deps.sh; }

# configure DIR CMAKE-ARGS...: (re)configures quietly, showing output on error.
configure() {
    local dir=$1; shift
    cmake -S . -B "$dir" "$@" >"$scratch/cmake.log" 2>&1 || { cat "$scratch/cmake.log"; return 1; }
    grep 'fuzz:' "$scratch/cmake.log" || true # harnesses still waiting for a parser
}

stage_test() {
    # -g so valgrind's reports, which reuse this build, carry line numbers.
    configure build-test -DCMAKE_BUILD_TYPE=Release -DDESCENT_WERROR=ON -DCMAKE_C_FLAGS=-g &&
        cmake --build build-test -j "$jobs" &&
        ctest --test-dir build-test --output-on-failure -j "$ctest_jobs" | tee "$root/build-test/ctest.log"
}

# The other backend of the products (build-test has the default, oneDNN
# where installed), the whole suite; DS_OTHER_DESCENT lets
# cli_backends_agree train on both (skipped if the test stage did not run).
stage_openblas() {
    configure build-openblas -DCMAKE_BUILD_TYPE=Release -DDESCENT_WERROR=ON \
        -DDESCENT_BACKEND=openblas &&
        cmake --build build-openblas -j "$jobs" &&
        DS_OTHER_DESCENT=$([ ! -x build-test/descent ] || echo "$root/build-test/descent") \
            ctest --test-dir build-openblas --output-on-failure -j "$ctest_jobs"
}

# A flake is a bug: the tests that depend on timing (signals, kills, MPI)
# run again and again while two busy loops take the CPUs, as on a loaded CI
# machine. The hogs are killed when the stage ends however it ends (it runs
# in a subshell; an interrupt ends it through EXIT), and each stops by
# itself once test.sh ($$) is gone.
stage_stress() {
    [ -d build-test/tests ] || { echo "stress: needs the test stage's build-test/"; return 1; }
    local repeat=${DS_STRESS_REPEAT:-10}
    hogs=() # not local: the EXIT trap runs after this function has returned
    trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    for _ in 1 2; do
        (while kill -0 $$ 2>/dev/null; do :; done) &
        hogs+=($!)
    done
    ctest --test-dir build-test -L '^timing$' --repeat "until-fail:$repeat" --output-on-failure \
        -j "$jobs"
}

stage_install() { bash tools/check-install.sh build-test; }

# LeakSanitizer needs ptrace-like thread suspension that some containers
# forbid; probe it once instead of failing every test there.
# 64 blocks leak, so a stale copy of the last pointer on the stack cannot hide them all.
lsan_works() {
    printf '%s\n' '#include <stdlib.h>' 'void *volatile sink;' \
        'int main(void) { for (int i = 0; i < 64; i++) sink = malloc(64); sink = 0; return 0; }' \
        >"$scratch/leak.c"
    cc -fsanitize=address -o "$scratch/leak" "$scratch/leak.c" >"$scratch/leak.log" 2>&1 &&
        { ASAN_OPTIONS=detect_leaks=1 "$scratch/leak" >>"$scratch/leak.log" 2>&1 || true; } &&
        grep -q 'detected memory leaks' "$scratch/leak.log" && return 0
    tail -n 5 "$scratch/leak.log" # why: shown once, with the warning below
    return 1
}

stage_asan() {
    local leaks=1
    lsan_works || { leaks=0; echo "asan: LeakSanitizer unavailable here, leak checks off"; }
    export ASAN_OPTIONS="detect_leaks=$leaks:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    configure build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDESCENT_WERROR=ON \
        -DDESCENT_SANITIZE=ON &&
        cmake --build build-asan -j "$jobs" &&
        ctest --test-dir build-asan --output-on-failure -j "$ctest_jobs" -LE '^browser$'
}

# Prints one shell command line per unit test / fuzz replay of build-test,
# with the environment and working folder ctest would give it.
valgrind_commands() {
    ctest --test-dir build-test -R '^(unit_|fuzz_replay_)' --show-only=json-v1 | python3 -c '
import json, shlex, sys
for t in json.load(sys.stdin)["tests"]:
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    env = props.get("ENVIRONMENT", [])
    cwd = props.get("WORKING_DIRECTORY", ".")
    if "command" not in t:  # ctest found no executable: the build failed
        print(t["name"] + "\tNOT_BUILT")
        continue
    cmd = " ".join(shlex.quote(a) for a in t["command"])
    envs = " ".join(shlex.quote(e) for e in env)
    print(t["name"] + "\t" + "cd " + shlex.quote(cwd) + " && env " + envs + " VG " + cmd)
'
}

# valgrind_one NAME COMMAND: one memcheck run, log in build-test/valgrind/.
valgrind_one() {
    local log="$root/build-test/valgrind/$1.log" vg
    [ "$2" != NOT_BUILT ] || { echo "valgrind: $1 FAILED: not built (see the test stage)"; return 1; }
    vg="timeout ${DS_VALGRIND_TIMEOUT:-900} valgrind --tool=memcheck --error-exitcode=1"
    vg+=" --leak-check=full --errors-for-leak-kinds=definite,indirect"
    vg+=" --show-leak-kinds=definite,indirect --num-callers=30 --gen-suppressions=all"
    vg+=" --suppressions=$root/tools/valgrind.supp"
    if bash -c "${2/ VG / $vg }" >"$log" 2>&1; then
        echo "valgrind: $1 ok"
    else
        echo "valgrind: $1 FAILED (log: $log)"
        tail -n 60 "$log"
        return 1
    fi
}
export -f valgrind_one
export root

stage_valgrind() {
    [ -d build-test/tests ] || { echo "valgrind: needs the test stage's build-test/"; return 1; }
    mkdir -p build-test/valgrind
    valgrind_commands >"$scratch/vg.list" || return 1
    [ -s "$scratch/vg.list" ] || { echo "valgrind: no unit tests found"; return 1; }
    # DS_TEST_SMALL=1 asks tests to shrink their problem sizes (valgrind is
    # 20-50x slower); one BLAS thread and passive OpenMP waiting keep
    # valgrind's serialised threads from spinning.
    export DS_TEST_SMALL=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=passive
    tr '\n' '\0' <"$scratch/vg.list" |
        xargs -0 -P "$jobs" -I{} bash -c 'IFS=$'"'\t'"' read -r n c <<<"$1"; valgrind_one "$n" "$c"' _ {}
}

# fuzz_one NAME: runs one harness on a scratch copy of its seed corpus (plus
# its saved regressions), so nothing is written into the repository. A crash
# input is kept in build-fuzz/artifacts/NAME/.
fuzz_one() {
    local name=$1 work="$scratch/fuzz/$1" art="$root/build-fuzz/artifacts/$1"
    mkdir -p "$work/corpus" "$art"
    cp "$root/fuzz/corpus/$name"/* "$work/corpus/"
    if [ -d "$root/tests/fuzz_regressions/$name" ]; then
        cp "$root/tests/fuzz_regressions/$name"/* "$work/corpus/" 2>/dev/null || true
    fi
    if "$root/build-fuzz/fuzz/$name" -max_total_time="$fuzz_seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
        "$work/corpus" >"$work/log" 2>&1; then
        echo "fuzz: $name ok: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" |
            grep -o '[0-9]*$') runs, $(ls "$work/corpus" | wc -l) corpus inputs"
    else
        echo "fuzz: $name FAILED; input saved in $art/, rerun with:"
        echo "  build-test/fuzz/replay_$name $art/<file>"
        tail -n 80 "$work/log"
        return 1
    fi
}
export -f fuzz_one
export scratch fuzz_seconds

stage_fuzz() {
    configure build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DDESCENT_FUZZ=ON -DDESCENT_TESTS=OFF &&
        cmake --build build-fuzz -j "$jobs" --target fuzzers || return 1
    [ -s build-fuzz/fuzz/targets.txt ] || { echo "fuzz: no harness built yet"; return 0; }
    local leaks=1
    lsan_works || { leaks=0; echo "fuzz: LeakSanitizer unavailable here, leak checks off"; }
    export ASAN_OPTIONS=detect_leaks=$leaks UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    tr '\n' '\0' <build-fuzz/fuzz/targets.txt | xargs -0 -P "$jobs" -I{} bash -c 'fuzz_one "$1"' _ {}
}

run_stage deps stage_deps || true
[ $failed -eq 0 ] || { echo "test.sh: dependencies missing, stopping"; exit 1; }
for s in test openblas stress install asan valgrind fuzz; do
    wanted "$s" && run_stage "$s" "stage_$s"
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
# The plain closing line CI reads: the ctest suite's count from the test stage.
if [ -f build-test/ctest.log ]; then
    total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' build-test/ctest.log | tail -n 1)
    nfail=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' build-test/ctest.log | tail -n 1)
    [ -n "$total" ] && echo "ctest: $((total - nfail)) passed, $nfail failed"
fi
if [ $failed -ne 0 ]; then
    echo "== test.sh: FAILED"
    exit 1
fi
echo "== test.sh: all stages passed"
