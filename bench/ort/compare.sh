#!/usr/bin/env bash
# Peer comparison (a benchmark, not a test): the example encoder block (and
# optionally the MLP stack) timed with ONNX Runtime and with sparsec, dense
# and 2:4-sparse, on this machine, in the same run, at 1 and 2 threads.
#
#   bench/ort/compare.sh [--model=encoder|mlp] [--pattern=nm2:4|block16x16]
#                        [--density=D] [--rounds=N] [--repetitions=N]
#
# The same weights go to both: examples/gen_model.py writes the MLIR and,
# through Debian's python3-torch (torch.onnx.export), the ONNX file. ONNX
# Runtime is the npm package onnxruntime-node (it ships libonnxruntime.so),
# driven by bench/ort/ort_bench.js. Rounds alternate the runners so that
# drifts of this shared machine hit all of them; each figure is the median
# over rounds of each round's median. Results go to stdout and, as JSON, to
# $SPARSEC_BUILD_DIR/ort/results.json.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
model=encoder
pattern=nm2:4
density=0.25
rounds=5
repetitions=30
for arg in "$@"; do
  case $arg in
    --model=*) model=${arg#*=} ;;
    --pattern=*) pattern=${arg#*=} ;;
    --density=*) density=${arg#*=} ;;
    --rounds=*) rounds=${arg#*=} ;;
    --repetitions=*) repetitions=${arg#*=} ;;
    *) echo "compare.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

"$root/scripts/setup.sh" >/dev/null
work=$build/ort
mkdir -p "$work"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "compare.sh: installing python3-torch (Debian) for torch.onnx.export"
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-torch >/dev/null
fi
if [[ ! -d $work/node_modules/onnxruntime-node ]]; then
  echo "compare.sh: installing onnxruntime-node 1.30.0 (npm)"
  (cd "$work" && ONNXRUNTIME_NODE_INSTALL=skip npm install --silent \
     onnxruntime-node@1.30.0 >/dev/null)
fi
cp "$root/bench/ort/ort_bench.js" "$work/"

# The pruned model: ONNX Runtime runs it dense (it has no kernels for 2:4 or
# blocks), sparsec once dense (--sparsity=off) and once sparse.
name=$model-${pattern//:/_}
/usr/bin/python3 "$root/examples/gen_model.py" --model="$model" \
  --pattern="$pattern" --density="$density" \
  -o "$work/$name.mlir" --onnx="$work/$name.onnx" 2>/dev/null
"$build/bin/sparse-compile" "$work/$name.mlir" -o "$work/$name-dense.so" \
  --sparsity=off --progress=false
"$build/bin/sparse-compile" "$work/$name.mlir" -o "$work/$name.so" \
  --progress=false

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ort() {  # threads -> median ms
  (cd "$work" && node ort_bench.js "$name.onnx" --threads="$1" \
     --repetitions="$repetitions" --json) |
    /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['median_ms'])"
}
sparsec() {  # library threads -> median ms
  "$build/bin/sparse-run" "$1" --num-threads="$2" --repetitions="$repetitions" --json |
    /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[0]['median_ms'])"
}

declare -A samples
for ((round = 1; round <= rounds; ++round)); do
  for threads in 1 2; do
    samples[ort$threads]+="$(ort "$threads") "
    samples[dense$threads]+="$(sparsec "$work/$name-dense.so" "$threads") "
    samples[sparse$threads]+="$(sparsec "$work/$name.so" "$threads") "
  done
done

printf '%s pruned to %s, sequence 128, %d rounds x %d runs, medians (ms)\n' \
  "$model" "$pattern" "$rounds" "$repetitions"
printf '%-8s %12s %14s %15s %12s %12s\n' threads onnxruntime "sparsec dense" \
  "sparsec sparse" "dense/ORT" "ORT/sparse"
json="{\"model\": \"$model\", \"pattern\": \"$pattern\", \"density\": $density, \"rounds\": $rounds, \"repetitions\": $repetitions, \"results\": ["
for threads in 1 2; do
  o=$(tr ' ' '\n' <<<"${samples[ort$threads]}" | grep . | median)
  d=$(tr ' ' '\n' <<<"${samples[dense$threads]}" | grep . | median)
  s=$(tr ' ' '\n' <<<"${samples[sparse$threads]}" | grep . | median)
  awk -v t="$threads" -v o="$o" -v d="$d" -v s="$s" \
    'BEGIN { printf "%-8s %12.3f %14.3f %15.3f %11.2fx %11.2fx\n", t, o, d, s, d / o, o / s }'
  json+="{\"threads\": $threads, \"onnxruntime_ms\": $o, \"sparsec_dense_ms\": $d, \"sparsec_sparse_ms\": $s},"
done
echo "${json%,}]}" >"$work/results.json"
echo "(dense/ORT < 1: sparsec dense is faster; ORT/sparse: speedup of the sparse build over ONNX Runtime on the same model)"
