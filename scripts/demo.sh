#!/usr/bin/env bash
# The main job, for now: set up and build sparsec, then run sparse-opt over
# an example model written in the sparsity dialect and show the result.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" >/dev/null

example=${1:-$root/examples/sparse-mlp-block.mlir}
echo "== sparse-opt $(basename "$example") --canonicalize"
"$build/bin/sparse-opt" "$example" --canonicalize
