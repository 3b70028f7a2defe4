#!/usr/bin/env bash
# run.sh - builds tests/consumer/neuron.c against an installed descent in the
# four ways a user would (pkg-config shared, pkg-config static, CMake
# find_package shared and static), checks each binary links the library it
# should, runs it and requires exit 0 (Adam brings the neuron under 1e-4).
#
#   run.sh WORKDIR SYSROOT PREFIX
# SYSROOT is the DESTDIR of a staging install ("" for the system), PREFIX
# the --prefix it was installed with (/usr). Called by tools/check-install.sh.
set -euo pipefail
work=$1 sysroot=$2 prefix=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$sysroot$prefix
fail() { echo "FAIL (consumer): $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"

# Under PREFIX/lib*, so a copy in /usr/local cannot stand in for /usr's.
pc=$(find "$root"/lib* -maxdepth 3 -path '*/pkgconfig/descent.pc' -print -quit 2>/dev/null)
[ -n "$pc" ] || fail "no descent.pc under $root"
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$(dirname "$pc")
[ -z "$sysroot" ] || export PKG_CONFIG_SYSROOT_DIR=$sysroot
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# run_one NAME BINARY LINKAGE: LINKAGE is "shared" (libdescent.so must come
# from $libdir, not from elsewhere on the machine) or "static" (no libdescent.so).
run_one() {
    local name=$1 bin=$2 linkage=$3 deps
    deps=$(ldd "$bin")
    if [ "$linkage" = shared ]; then
        grep -q "libdescent.so.* => $libdir/libdescent.so" <<<"$deps" ||
            fail "$name: libdescent.so not resolved from $libdir: $deps"
    else
        ! grep -q libdescent <<<"$deps" || fail "$name: static build needs libdescent.so: $deps"
    fi
    "$bin" >"$work/$name.out" 2>&1 || fail "$name exited $?: $(cat "$work/$name.out")"
    echo "consumer $name: $(cat "$work/$name.out")"
}

# The README's two-line build: cc prog.c $(pkg-config --cflags --libs descent)
cc -std=c11 -Wall -Wextra -Werror "$here/neuron.c" -o "$work/pc_shared" \
    $(pkg-config --cflags --libs descent) -lm
run_one pkgconfig-shared "$work/pc_shared" shared
# Static: the archive by name (-l:libdescent.a), then what --static says it needs.
libs=$(pkg-config --static --libs descent)
cc -std=c11 -Wall -Wextra -Werror "$here/neuron.c" -o "$work/pc_static" \
    $(pkg-config --cflags descent) ${libs/-ldescent/-l:libdescent.a} -lm
run_one pkgconfig-static "$work/pc_static" static

# CMake finds the package through CMAKE_PREFIX_PATH alone; the sysroot is
# for pkg-config's view of the staging tree and would misplace openblas.
version=$(pkg-config --modversion descent)
unset PKG_CONFIG_SYSROOT_DIR
for kind in shared static; do
    flag=OFF && [ $kind = static ] && flag=ON
    cmake -S "$here" -B "$work/cmake_$kind" -DCMAKE_PREFIX_PATH="$root" \
        -DDESCENT_CONSUMER_STATIC=$flag -DDESCENT_EXPECT_VERSION="$version" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$work/cmake_$kind.log" 2>&1 ||
        fail "find_package ($kind) configure: $(cat "$work/cmake_$kind.log")"
    grep -q "descent_DIR:PATH=$libdir/cmake/descent" "$work/cmake_$kind/CMakeCache.txt" ||
        fail "find_package ($kind) did not use $libdir/cmake/descent"
    cmake --build "$work/cmake_$kind" >>"$work/cmake_$kind.log" 2>&1 ||
        fail "find_package ($kind) build: $(cat "$work/cmake_$kind.log")"
    run_one "cmake-$kind" "$work/cmake_$kind/neuron" $kind
done
