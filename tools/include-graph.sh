#!/usr/bin/env bash
# include-graph.sh - which src/ folder includes which, from the #include
# lines themselves: the "depends on" column of ARCHITECTURE.md's table is
# pasted from this output, so the table says what the code does.
#
# A private include names its folder ("core/internal.h", "../report/...");
# a public one (descent/X.h) counts for the folder whose sources define the
# functions X.h declares DS_API. Type-only headers (batch.h) and export.h
# declare no function and count for no folder.
#
#   tools/include-graph.sh    (prints "folder: dep dep ..." per folder)
set -euo pipefail
cd "$(dirname "$0")/.."

# home HEADER: the folder defining the DS_API functions of include/descent/HEADER.
home() {
    local names
    names=$(sed -n 's/^DS_API .*[ *]\(ds_[a-z0-9_]*\)(.*/\1/p' "include/descent/$1" | sort -u)
    [ -n "$names" ] || return 0
    for n in $names; do
        grep -l "^[a-z].*[ *]$n(" src/*/*.c 2>/dev/null || true
    done | cut -d/ -f2 | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}'
}

declare -A header_home
for h in include/descent/*.h; do
    header_home[$(basename "$h")]=$(home "$(basename "$h")")
done

# includes FILE: the quoted #include lines of FILE, as paths from the repo's
# root (include/descent/X.h or src/DIR/Y.h).
includes() {
    local dir
    dir=$(dirname "$1")
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$1" | while read -r inc; do
        case $inc in
        descent/*) echo "include/$inc" ;;
        ../*) echo "src/${inc#../}" ;;
        */*) echo "src/$inc" ;;
        *) echo "$dir/$inc" ;;
        esac
    done
}

# reach FILE...: every header the files include, directly or through other
# headers (a public header that includes another makes its users depend on
# that one's folder too: model.h includes optim.h).
reach() {
    local -A seen=()
    local todo=("$@") f inc
    while [ ${#todo[@]} -gt 0 ]; do
        f=${todo[0]}
        todo=("${todo[@]:1}")
        for inc in $(includes "$f"); do
            [ -e "$inc" ] && [ -z "${seen[$inc]:-}" ] || continue
            seen[$inc]=1
            todo+=("$inc")
            echo "$inc"
        done
    done
}

for dir in src/*/; do
    d=$(basename "$dir")
    deps=$(reach "$dir"*.[ch] | while read -r inc; do
        case $inc in
        include/descent/*) echo "${header_home[${inc#include/descent/}]:-}" ;;
        src/*) inc=${inc#src/}; echo "${inc%%/*}" ;;
        esac
    done | { grep -vx -e "$d" -e "" || true; } | sort -u | tr "\n" " ")
    echo "$d: ${deps% }"
done
