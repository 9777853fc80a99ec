#!/usr/bin/env bash
# Installs what sparsec needs on Debian 12 (apt, only what is missing) and
# builds it. Idempotent: a second run only rebuilds what changed.
#   SPARSEC_BUILD_DIR   build directory (default: <repo>/build)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}

# python3-numpy: examples/gen_model.py. The last three: AArch64 models are
# linked against Debian's arm64 libc and tested under qemu-user.
packages=(cmake ninja-build ccache python3 python3-numpy clang-22 lld-22
          llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools libgtest-dev
          qemu-user libc6-dev-arm64-cross libgcc-12-dev-arm64-cross)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" \
    >/dev/null
fi

if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" >/dev/null
fi
ninja -C "$build"
