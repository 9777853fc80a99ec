#!/usr/bin/env bash
# Predicted vs measured sparse-kernel coverage on a mixed model (dense,
# 2:4, CSR and block layers of a BERT-base-sized MLP, 128 tokens): compiles
# it with --report (the cost model's estimate) and runs it with
# sparse-run --profile (kernel timers), then prints both side by side.
# Extra arguments go to sparse-run (e.g. --num-threads=2).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$root/scripts/gen_matmul.py" --name=mixed --ms=128 --density=0.1 \
  --chain=dense:768x768,nm2:4:768x3072,nm2:4:3072x768,csr:768x768,block16x16:768x768 \
  > "$work/mixed.mlir"
"$build/bin/sparse-compile" "$work/mixed.mlir" -o "$work/mixed.so" \
  --report="$work/report.json"
"$build/bin/sparse-run" "$work/mixed.so" --profile --repetitions=50 "$@" \
  --json > "$work/profile.json"
"$build/bin/sparse-run" "$work/mixed.so" --profile --repetitions=50 "$@"
python3 - "$work/report.json" "$work/profile.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
runs = json.load(open(sys.argv[2]))
predicted = report["sparse_kernel_coverage"]
seconds = sum(r["profile"]["seconds_per_run"] for r in runs)
sparse = sum(r["profile"]["sparse_seconds_per_run"] for r in runs)
measured = sparse / seconds if seconds else 0.0
print("sparse-kernel coverage: predicted %.1f%%, measured %.1f%% "
      "(difference %.1f percentage points)"
      % (100 * predicted, 100 * measured, 100 * abs(predicted - measured)))
PY
