#!/usr/bin/env bash
# deps.sh - installs the Debian packages descent needs to build, test and run
# its main job. Idempotent: runs apt-get only for what is missing. Needs root
# (or sudo) on a Debian machine.
set -euo pipefail
packages=(
  build-essential cmake pkg-config     # toolchain
  libopenblas-dev zlib1g-dev           # BLAS for matrix products, zlib for .gz
  libcmocka-dev                        # unit tests
  libopenmpi-dev openmpi-bin           # data-parallel training
  dataset-fashion-mnist                # the default data set
  clang libclang-rt-14-dev             # libFuzzer harnesses and sanitizers
  valgrind python3 libxml2-utils       # memcheck run, test scripts, SVG well-formedness
  libomp-14-dev                        # OpenMP for clang (the fuzz build)
  scdoc groff-base dpkg-dev            # man page source -> roff and its check; .deb dependencies
  chromium                             # headless browser for the lecture report test
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "deps.sh: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
