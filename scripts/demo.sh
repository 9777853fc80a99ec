#!/usr/bin/env bash
# The main job, for now: set up and build sparsec, show the sparsity dialect
# through sparse-opt, then compile one 128 x 768 x 768 matmul (+ bias, GELU)
# per weight pattern into one library, check each against its dense
# reference and time them side by side.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" >/dev/null

example=$root/examples/sparse-mlp-block.mlir
echo "== sparse-opt $(basename "$example") --canonicalize (the dialect; folds the re-pack)"
"$build/bin/sparse-opt" "$example" --canonicalize | grep -E "sparsity\.(matmul|pack|attention|route|expert_matmul|combine)" | cut -c1-110

demo=$build/demo
mkdir -p "$demo"
model=$demo/matmuls.mlir
: >"$model"
for spec in "dense 1 dense" "nm2:4 1 nm2_4" "block16x16 0.1 block_10pct" \
            "csr 0.1 csr_10pct"; do
  read -r pattern density name <<<"$spec"
  python3 "$root/scripts/gen_matmul.py" --pattern="$pattern" --density="$density" \
    --ms=128 --shapes=768x768 --name="$name" --epilogues=gelu --bias=always >>"$model"
done
echo
echo "== sparse-compile: 128x768 activations times 768x768 weights, + bias, GELU"
time "$build/bin/sparse-compile" "$model" -o "$demo/matmuls.so" --with-reference
echo
echo "== sparse-run --check (every entry against its dense reference), 1 thread"
"$build/bin/sparse-run" "$demo/matmuls.so" --check --repetitions=50
echo
echo "== 2 threads"
"$build/bin/sparse-run" "$demo/matmuls.so" --repetitions=50 --num-threads=2
