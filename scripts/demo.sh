#!/usr/bin/env bash
# The main job: compile a model ahead of time dense and sparse, run both on
# the same inputs and print what sparsity bought.
#
# The model is examples/gen_model.py's transformer encoder block (d = 768,
# 12 heads, FFN 3072, sequence 128) with random weights magnitude-pruned,
# once to 2:4 and once to 16x16 blocks keeping 25 % (random, not trained:
# it measures the compiler, not accuracy). Set DEMO_MODEL=mlp for the
# decoder-style MLP stack, DEMO_PATTERNS (e.g. "nm2:4 block32x32") and
# DEMO_DENSITY for other prunings, DEMO_THREADS for threads.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" >/dev/null

model=${DEMO_MODEL:-encoder}
patterns=${DEMO_PATTERNS:-nm2:4 block16x16}
density=${DEMO_DENSITY:-0.25}
threads=${DEMO_THREADS:-1}
demo=$build/demo
mkdir -p "$demo"

for pattern in $patterns; do
  name=$model-${pattern//:/_}
  source=$demo/$name.mlir
  echo "== examples/gen_model.py --model=$model --pattern=$pattern" \
    "$([[ $pattern == block* ]] && echo "--density=$density")"
  /usr/bin/python3 "$root/examples/gen_model.py" --model="$model" \
    --pattern="$pattern" --density="$density" -o "$source"
  echo "$source ($(du -h "$source" | cut -f1), weights as dense_resource blobs)"

  echo
  echo "== sparse-compile --sparsity=off (the dense build)"
  "$build/bin/sparse-compile" "$source" -o "$demo/$name-dense.so" \
    --sparsity=off --progress=false
  echo "$demo/$name-dense.so"

  echo
  echo "== sparse-compile (detect, raise, legalize, sparse kernels): what runs sparse, and why"
  "$build/bin/sparse-compile" "$source" -o "$demo/$name.so" \
    --report="$demo/$name-report.json" --progress=false
  echo "$demo/$name.so, header $demo/$name.h, report $demo/$name-report.json"

  echo
  echo "== sparse-run $name.so --compare=$name-dense.so ($threads thread(s))"
  "$build/bin/sparse-run" "$demo/$name.so" --compare="$demo/$name-dense.so" \
    --num-threads="$threads" --repetitions=50
  echo
done
