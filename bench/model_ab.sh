#!/usr/bin/env bash
# Two builds of sparse-compile on the same models (a benchmark, not a
# test): each model is compiled by both, then timed by sparse-run at 1 and
# 2 threads in rounds that alternate the builds, so that this shared
# machine's drifts hit both. Prints each round's medians and, per model and
# thread count, the median over rounds of before / after (> 1: the second
# build is faster).
#
#   bench/model_ab.sh BEFORE_COMPILER AFTER_COMPILER MODEL.mlir... \
#       [--rounds=N] [--repetitions=N] [--threads="1 2"] [--sizes="17 64"]
#
# --sizes times models of a dynamic sequence length at each size given
# (sparse-run --sizes); their rows read MODEL@SIZE.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
rounds=5
repetitions=60
threads="1 2"
sizes=""
compilers=()
models=()
for arg in "$@"; do
  case $arg in
    --rounds=*) rounds=${arg#*=} ;;
    --repetitions=*) repetitions=${arg#*=} ;;
    --threads=*) threads=${arg#*=} ;;
    --sizes=*) sizes=${arg#*=} ;;
    -*) echo "model_ab.sh: unknown option $arg" >&2; exit 2 ;;
    *) if ((${#compilers[@]} < 2)); then compilers+=("$arg"); else models+=("$arg"); fi ;;
  esac
done
if ((${#compilers[@]} < 2 || ${#models[@]} == 0)); then
  echo "usage: bench/model_ab.sh BEFORE_COMPILER AFTER_COMPILER MODEL.mlir..." >&2
  exit 2
fi

work=$build/model-ab
mkdir -p "$work"
for model in "${models[@]}"; do
  name=$(basename "$model" .mlir)
  "${compilers[0]}" "$model" -o "$work/$name-before.so" --progress=false
  "${compilers[1]}" "$model" -o "$work/$name-after.so" --progress=false
done

results=$work/results.txt
: >"$results"
for ((round = 1; round <= rounds; ++round)); do
  for model in "${models[@]}"; do
    name=$(basename "$model" .mlir)
    for size in ${sizes:-static}; do
      size_flag=() row=$name
      if [[ $size != static ]]; then
        size_flag=(--sizes="$size") row=$name@$size
      fi
      for t in $threads; do
        for build_name in before after; do
          median=$("$build/bin/sparse-run" "$work/$name-$build_name.so" \
            --num-threads="$t" --repetitions="$repetitions" "${size_flag[@]}" |
            tail -1 | awk '{print $3}')
          echo "$round $row $t $build_name $median" | tee -a "$results"
        done
      done
    done
  done
done

/usr/bin/python3 - "$results" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    _, name, threads, build, ms = line.split()
    runs.setdefault((name, threads), {}).setdefault(build, []).append(float(ms))
print(f"{'model':32} {'threads':>7} {'before ms':>10} {'after ms':>9} {'before/after':>13} {'range':>12}")
for (name, threads), builds in runs.items():
    ratios = [b / a for b, a in zip(builds["before"], builds["after"])]
    print(f"{name:32} {threads:>7} {statistics.median(builds['before']):10.3f} "
          f"{statistics.median(builds['after']):9.3f} "
          f"{statistics.median(ratios):12.3f}x "
          f"{min(ratios):5.2f}-{max(ratios):.2f}")
EOF
