# exports.sh - the library's boundary (ARCHITECTURE.md, "The boundary"):
# libdescent.so and libdescent-mpi.so export exactly the functions their
# public headers declare with DS_API (nothing private, no ds__ name, none
# missing), and libdescent links no MPI.
source "$(dirname "$0")/lib/common.bash"
: "${DS_SOURCE_DIR:?run through ctest}"
lib=$DS_BUILD_DIR/lib

# The names the public headers mark DS_API (one per declaration line).
sed -n 's/^DS_API .*[ *]\(ds_[a-z0-9_]*\)(.*/\1/p' "$DS_SOURCE_DIR"/include/descent/*.h |
    sort -u >declared
[ -s declared ] || fail "no DS_API declaration found in include/descent/*.h"

# exported SO: its defined dynamic symbols, one per line, sorted.
exported() { nm -D --defined-only "$lib/$1" | awk '{print $NF}' | sort -u; }

exported libdescent.so >lib.syms
exported libdescent-mpi.so >mpi.syms
for so in lib mpi; do
    private=$(grep '^ds__' "$so.syms" || true)
    [ -z "$private" ] || fail "$so exports private names: $(echo $private)"
    stray=$(comm -23 "$so.syms" declared)
    [ -z "$stray" ] || fail "$so exports names no public header declares DS_API: $(echo $stray)"
done
missing=$(cat lib.syms mpi.syms | sort -u | comm -13 - declared)
[ -z "$missing" ] || fail "DS_API declarations that no library exports: $(echo $missing)"

# libdescent depends on libc, libm, the compute backend and zlib only.
deps=$(ldd "$lib/libdescent.so")
! grep -qi mpi <<<"$deps" || fail "libdescent.so links MPI: $deps"
echo "exports: $(wc -l <lib.syms) + $(wc -l <mpi.syms) public names, no private one"
