# mpi.bash - what the tests under mpirun share (sourced after common.bash):
# skip without MPI, the environment for root on one machine, and
# `mpi NP ARGS...` running descent on NP ranks.
if ! grep -q '^DESCENT_MPI:BOOL=ON' "$DS_BUILD_DIR/CMakeCache.txt" || ! command -v mpirun >/dev/null; then
    echo "SKIP: this build has no MPI (DESCENT_MPI=OFF or no mpirun)"
    exit 0
fi
# As root on one machine (../shared/spec/testing.md); one thread per rank.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
export OPENBLAS_NUM_THREADS=1
# Open MPI's session directory in the test's own folder, not the shared
# /tmp/ompi.HOST.UID: there one job's clean-up removed the folder while a
# concurrent job created its session in it ("A call to mkdir was unable to
# create the desired directory: /tmp/ompi.vm.0/pid.N", ctest -j3).
export OMPI_MCA_orte_tmpdir_base=$DS_TMP
# Open MPI does not free its components' memory at exit (they are unloaded,
# so LeakSanitizer cannot even name them): no leak checks under mpirun in
# the ASan build. Our code's leaks are checked by the one-process tests,
# which run the same code; ASan's other checks stay on.
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
mpi() { local np=$1; shift; mpirun --oversubscribe -np "$np" "$DESCENT" "$@"; }
