#!/usr/bin/env bash
# deps.sh - installs the Debian packages descent needs to build, test and run
# its main job. Idempotent: runs apt-get only for what is missing. Needs root
# (or sudo) on a Debian machine.
set -euo pipefail
packages=(
  build-essential cmake pkg-config     # toolchain
  libdnnl-dev                          # oneDNN: the matrix products (default backend)
  libopenblas-dev zlib1g-dev           # BLAS (the other backend, bench's yardstick), zlib for .gz
  libcjson-dev                         # safetensors headers (JSON)
  libcmocka-dev                        # unit tests
  libopenmpi-dev openmpi-bin           # data-parallel training
  dataset-fashion-mnist                # the default data set
  clang libclang-rt-14-dev             # libFuzzer harnesses and sanitizers
  valgrind python3 libxml2-utils       # memcheck run, test scripts, SVG well-formedness
  libomp-14-dev                        # OpenMP for clang (the fuzz build)
  scdoc groff-base dpkg-dev            # man page source -> roff and its check; .deb dependencies
  chromium                             # headless browser for the lecture report test
  lld wasi-libc libclang-rt-14-dev-wasm32  # clang's wasm32-wasi target: the explorer's engine
  nodejs                               # the engine under node; the browser tests' driver;
                                       # ONNX Runtime (tests/onnx, npm ci --ignore-scripts)
  python3-onnx                         # onnx.checker on exported models (tests/cli/onnx.sh)
)
# Debian's nodejs comes without npm; NodeSource's bundles it (and conflicts
# with Debian's npm package).
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  grep -q "install ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  # Wait up to 10 minutes for another apt or dpkg process (unattended
  # upgrades on a fresh machine) to release its lock instead of failing.
  lock=(-o DPkg::Lock::Timeout=600)
  echo "deps.sh: installing ${missing[*]}"
  $sudo_cmd apt-get "${lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get "${lock[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# The npm packages of the tests, each pinned by its lock file and installed
# with --ignore-scripts next to it once (again when the lock file changes):
# the browser tests' driver (playwright-core: it drives the chromium above,
# no bundled browser is downloaded) and ONNX Runtime (onnxruntime-node,
# which checks exported models).
npm_ci() {
  local dir
  dir="$(cd "$(dirname "$0")/../tests/$1" && pwd)"
  cmp -s "$dir/package-lock.json" "$dir/node_modules/.descent-lock" && return 0
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.descent-lock)
}
npm_ci browser
npm_ci onnx
