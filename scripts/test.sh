#!/usr/bin/env bash
# Sets up and builds sparsec if needed, then runs every test (lit + FileCheck
# and the GoogleTest suites, through lit). Ends with a totals line; exits
# non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPARSEC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" "$build/test/Unit" | tee "$log" ||
  status=$?

count() { grep -oP "^\s*$1:\s*\K[0-9]+" "$log" || echo 0; }
passed=$(count Passed)
failed=$(( $(count Failed) + $(count Unresolved) + $(count 'Timed Out') ))
if [[ $passed == 0 ]]; then
  status=1 # a run that tested nothing is a failure
fi
echo "tests: $passed passed, $failed failed"
exit "$status"
