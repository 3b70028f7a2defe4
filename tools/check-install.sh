#!/usr/bin/env bash
# check-install.sh - the "ship it" stage of the suite: proves that descent
# installs and can be used as any other C library.
#  1. a staging install (DESTDIR) of a build folder with prefix /usr: the
#     expected files, a SONAME of the project's major version, libdescent
#     linking no MPI and exporting only ds_ names, every installed header
#     compiles on its own, the man page renders;
#  2. the consumer program (tests/consumer) built against the staging tree
#     with pkg-config and find_package, shared and static, and run;
#  3. as root: `cpack -G DEB` (libdescent, libdescent-mpi, descent), their
#     declared dependencies (none on MPI for libdescent), `apt-get install`
#     of the three, the installed program, pkg-config version and the
#     consumer against the system copy; then purges the packages again
#     (unless they were installed before) to leave the machine as it was.
#
#   tools/check-install.sh [BUILD_DIR]   (default build-test, already built)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=$(cd "${1:-build-test}" && pwd)
work=$build/check-install
fail() { echo "FAIL (check-install): $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"

version=$(sed -n 's/^#define DS_VERSION_STRING "\(.*\)"/\1/p' "$build/include/descent/version.h")
[ -n "$version" ] || fail "no version in $build/include/descent/version.h"
major=${version%%.*}

# 1. Staging install.
stage=$work/stage
DESTDIR=$stage cmake --install "$build" --prefix /usr >"$work/install.log" ||
    fail "cmake --install: $(cat "$work/install.log")"
lib=$(find "$stage/usr" -name "libdescent.so.$version" -print -quit)
[ -n "$lib" ] || fail "no libdescent.so.$version installed"
libdir=$(dirname "$lib")
for f in usr/bin/descent usr/include/descent/optim.h usr/include/descent/version.h \
    usr/share/man/man1/descent.1 usr/share/doc/descent/api.md \
    "${libdir#$stage/}/libdescent.a" "${libdir#$stage/}/libdescent.so" \
    "${libdir#$stage/}/pkgconfig/descent.pc" "${libdir#$stage/}/cmake/descent/descentConfig.cmake" \
    "${libdir#$stage/}/libdescent-mpi.so" "${libdir#$stage/}/pkgconfig/descent-mpi.pc"; do
    [ -e "$stage/$f" ] || fail "the install lacks /$f"
done
for h in "$src"/include/descent/*.h; do
    [ -e "$stage/usr/include/descent/$(basename "$h")" ] || fail "header $(basename "$h") not installed"
done
for f in "$src"/examples/*.c "$src"/doc/*.md; do
    [ -e "$f" ] || continue # no examples yet
    case $f in *.c) dest=examples/ ;; *) dest= ;; esac
    [ -e "$stage/usr/share/doc/descent/$dest$(basename "$f")" ] ||
        fail "$(basename "$f") is not installed in /usr/share/doc/descent/$dest"
done
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libdescent.so.$major" ] || fail "SONAME is '$soname', expected libdescent.so.$major"
grep -q "^prefix=/usr$" "$stage/${libdir#$stage/}/pkgconfig/descent.pc" ||
    fail "descent.pc does not name the install prefix /usr"
# The boundary: libdescent needs libc, libm, OpenBLAS, OpenMP and zlib only
# (MPI is libdescent-mpi's), and exports public ds_ names only.
! grep -qi mpi <<<"$(ldd "$lib")" || fail "the installed libdescent links MPI: $(ldd "$lib")"
private=$(nm -D --defined-only "$lib" | awk '{print $NF}' | grep -v '^ds_[a-z]' || true)
[ -z "$private" ] || fail "the installed libdescent exports non-public names: $(echo $private)"
grep -q "^Requires: descent = $version$" "$libdir/pkgconfig/descent-mpi.pc" ||
    fail "descent-mpi.pc does not require descent $version"
# Each public header must compile alone: a user includes just the one they need.
for h in "$stage"/usr/include/descent/*.h; do
    # (the int keeps a macro-only header from being an empty translation unit)
    printf '#include <descent/%s>\nint ds_check_header;\n' "$(basename "$h")" |
        cc -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$stage/usr/include" -x c - ||
        fail "installed header $(basename "$h") does not compile on its own"
done
# Every public function is documented: a comment directly above it, or above
# the run of declarations (no blank line) it belongs to. The comment must say
# what it does, ownership and failure behaviour; this catches the missing ones.
undocumented=$(cd "$stage/usr" && awk '
    FNR == 1 { doc = 0; incomment = 0; cont = 0 }
    /^[ \t]*$/ { doc = 0; cont = 0; next }
    incomment { if ($0 ~ /\*\//) { incomment = 0; doc = 1 } next }
    /^[ \t]*\/\*/ { if ($0 !~ /\*\//) incomment = 1; else doc = 1; next }
    /^#/ { next }
    cont { if ($0 ~ /;[ \t]*$/) cont = 0; next }
    /^[A-Za-z_].*[ *]ds_[a-z0-9_]+\(/ {
        if (!doc && $0 !~ /^typedef/) {
            match($0, /ds_[a-z0-9_]+\(/)
            print "  " FILENAME ":" FNR ": " substr($0, RSTART, RLENGTH - 1)
        }
        if ($0 !~ /;[ \t]*$/) cont = 1
    }' include/descent/*.h)
# The man page is well-formed roff (groff warnings are errors).
if command -v groff >/dev/null; then
    warn=$(groff -man -Tutf8 -ww -z "$stage/usr/share/man/man1/descent.1" 2>&1)
    [ -z "$warn" ] || fail "man page: $warn"
fi
echo "check-install: staging install of descent $version OK"

# 2. The consumer against the staging tree.
bash "$src/tests/consumer/run.sh" "$work/consumer-stage" "$stage" /usr

# The C examples of doc/api.md, compiled and run as written (against the
# staging tree, through pkg-config), so the guide cannot drift from the API.
docs=$work/api-examples
mkdir -p "$docs"
awk -v dir="$docs" '/^```c$/ {n++; on = 1; next} /^```/ {on = 0} on {print > (dir "/example" n ".c")}' \
    "$src/doc/api.md"
ls "$docs"/example*.c >/dev/null 2>&1 || fail "doc/api.md has no C example"
for ex in "$docs"/example*.c; do
    bin=${ex%.c}
    (export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
        cc -std=c11 -Wall -Wextra -Werror -pedantic "$ex" -o "$bin" \
            $(pkg-config --cflags --libs descent) -lm) || fail "doc/api.md: $(basename "$ex") does not build"
    (cd "$docs" && LD_LIBRARY_PATH=$libdir "$bin" >"$bin.out" 2>&1) ||
        fail "doc/api.md: $(basename "$ex") failed: $(tail -5 "$bin.out")"
done
echo "check-install: the $(ls "$docs"/example*.c | wc -l) C examples of doc/api.md build and run"
# The installed examples' sources build as shipped (running them is the
# examples' own tests' business: they take data and arguments).
for ex in "$stage"/usr/share/doc/descent/examples/*.c; do
    [ -e "$ex" ] || continue
    (export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
        cc -std=c11 -Wall -Wextra -Werror "$ex" -o "$docs/installed-$(basename "${ex%.c}")" \
            $(pkg-config --cflags --libs descent) -lm) || fail "installed example $(basename "$ex") does not build"
done

# The header-comment check fails the script at the end, after the other
# checks have had their say.
report_undocumented() {
    [ -z "$undocumented" ] || fail "public functions without a header comment:
$undocumented"
}

# 3. The Debian package.
if [ "$(id -u)" -ne 0 ]; then
    echo "check-install: not root, skipping the .deb install check"
    report_undocumented
    exit 0
fi
# Three packages (cmake/Packaging.cmake): libdescent, libdescent-mpi, descent.
packages="libdescent libdescent-mpi descent"
(cd "$build" && rm -f ./*descent*_*.deb && cpack -G DEB >"$work/cpack.log" 2>&1) ||
    fail "cpack: $(cat "$work/cpack.log")"
debs=()
for p in $packages; do
    deb=$(ls "$build/${p}_$version"*.deb) || fail "cpack made no $p package"
    [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
        fail "$p's version is $(dpkg-deb -f "$deb" Version), expected $version"
    debs+=("$deb")
done
# The products' library is the configured backend's: oneDNN or OpenBLAS.
backend=$(sed -n 's/^DESCENT_BACKEND:STRING=//p' "$build/CMakeCache.txt")
products=$([ "$backend" = onednn ] && echo libdnnl || echo libopenblas)
for p in libdescent descent; do
    depends=$(dpkg-deb -f "$build/${p}_$version"*.deb Depends)
    for d in $products zlib1g libgomp1; do
        grep -q "$d" <<<"$depends" || fail "$p does not depend on $d: Depends: $depends"
    done
done
# The library's users install no MPI: not as a dependency, not as a recommendation.
lib_deb=$(ls "$build/libdescent_$version"*.deb)
! grep -qi mpi <<<"$(dpkg-deb -f "$lib_deb" Depends Recommends)" ||
    fail "libdescent pulls MPI: $(dpkg-deb -f "$lib_deb" Depends Recommends)"
had=""
for p in $packages; do
    grep -q "install ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" && had="$had $p"
done
# (in one apt-get call: purging libdescent alone would take libdescent-mpi with it)
cleanup() {
    local p purge=()
    for p in $packages; do
        case " $had " in *" $p "*) ;; *) purge+=("$p") ;; esac
    done
    [ ${#purge[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${purge[@]}" >/dev/null
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >"$work/apt.log" 2>&1 ||
    fail "apt-get install ${debs[*]}: $(cat "$work/apt.log")"
/usr/bin/descent --help >"$work/help.out" || fail "/usr/bin/descent --help failed"
grep -q "usage: descent" "$work/help.out" || fail "descent --help printed: $(cat "$work/help.out")"
[ -f /usr/share/man/man1/descent.1 ] || fail "the package installed no man page"
got=$(pkg-config --modversion descent) || fail "pkg-config does not find descent"
[ "$got" = "$version" ] || fail "pkg-config --modversion descent: '$got', expected $version"
bash "$src/tests/consumer/run.sh" "$work/consumer-system" "" /usr
echo "check-install: the packages $packages build, install and serve consumers"
report_undocumented
