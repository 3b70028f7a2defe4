# program_boundary.sh - the program (src/cli, with its src/bench,
# src/report and the explorer's engine src/explore) and the examples use the
# library's public API only (ARCHITECTURE.md, "The boundary"): no private
# header of the library included, no private ds__ name of the library used,
# and src/ is not on the program's include path (it builds against
# include/, as against an installed copy).
source "$(dirname "$0")/lib/common.bash"
: "${DS_SOURCE_DIR:?run through ctest}"
src=$DS_SOURCE_DIR/src
# The library's folders (src/CMakeLists.txt, DS_LIB_DIRS) and libdescent-mpi.
libdirs="core optim schedule functions models data train plot infer dist"
users=("$src"/cli/*.[ch] "$src"/bench/*.[ch] "$src"/report/*.[ch] "$src"/explore/*.[ch]
       "$DS_SOURCE_DIR"/examples/*.c)

# Private names: every ds__ identifier a library source defines or declares.
for d in $libdirs; do cat "$src/$d"/*.[ch]; done | grep -o 'ds__[a-z0-9_]*' | sort -u >private
[ -s private ] || fail "found no private name in the library's sources"
for f in "${users[@]}"; do
    used=$({ grep -o 'ds__[a-z0-9_]*' "$f" || true; } | sort -u | comm -12 - private)
    [ -z "$used" ] || fail "${f#$DS_SOURCE_DIR/} uses the library's private names: $(echo $used)"
    for d in $libdirs; do
        ! grep -Eq "^#include \"(\.\./)?$d/" "$f" ||
            fail "${f#$DS_SOURCE_DIR/} includes a private header: $(grep -E "^#include \"(\.\./)?$d/" "$f")"
    done
done

# The program's compile flags name include/ and no folder of src/.
flags=$(cat "$DS_BUILD_DIR"/src/CMakeFiles/descent_cli.dir/flags.make)
! grep -Eq -- "-I$src( |/|$)" <<<"$flags" || fail "src/ is on the program's include path: $flags"
grep -q -- "-I$DS_SOURCE_DIR/include" <<<"$flags" || fail "include/ is not on the program's path: $flags"
echo "program_boundary: src/cli and examples/ use $(wc -l <private) private names: none"
