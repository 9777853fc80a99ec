#!/usr/bin/env bash
# The kernel benchmark of docs/benchmarks.md: installs oneDNN and OpenBLAS if
# missing, builds, and runs matmul-bench over the issue's shape grid.
# Extra arguments go to matmul-bench (e.g. --ms=128 --threads=1).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
missing=()
for package in libdnnl-dev libopenblas-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
"$root/scripts/setup.sh" >/dev/null
cmake "$build" >/dev/null   # picks up the libraries just installed
ninja -C "$build" matmul-bench >/dev/null
exec "$build/bin/matmul-bench" --compiler="$build/bin/sparse-compile" "$@"
