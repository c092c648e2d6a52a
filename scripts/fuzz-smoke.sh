#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS seconds each, starting from
# its committed seed corpus (copied, so the committed corpus is never modified).
set -euo pipefail
build=${1:?build dir}; seconds=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
[ ${#targets[@]} -gt 0 ] || { echo "fuzz-smoke: no fuzz targets in $build/fuzz" >&2; exit 1; }
# FUZZ_ONLY (a regex) narrows the run to matching target names.
only=${FUZZ_ONLY:-.}
failed=()
for t in "${targets[@]}"; do
  [ -x "$t" ] || continue
  name=${t##*/fuzz_}
  [[ $name =~ $only ]] || continue
  work=$(mktemp -d)
  [ -d "$root/fuzz/corpus/$name" ] && cp -r "$root/fuzz/corpus/$name/." "$work/"
  if "$t" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz/crash-$name-" >"$build/fuzz/$name.log" 2>&1; then
    echo "fuzz-smoke: $name ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$build/fuzz/$name.log" | awk '{print $2}') runs)"
  else
    echo "fuzz-smoke: $name FAILED, see $build/fuzz/$name.log"; tail -30 "$build/fuzz/$name.log"; failed+=("$name")
  fi
  rm -rf "$work"
done
# The summary comes last so that a log cut to its tail still names every failure.
if [ ${#failed[@]} -gt 0 ]; then
  for name in "${failed[@]}"; do
    echo "fuzz-smoke: FAILED $name: $(grep -m1 -E 'SUMMARY|ERROR|Test unit written' "$build/fuzz/$name.log" || echo 'see log')"
    echo "fuzz-smoke:   reproducer (base64): $(base64 -w0 "$build"/fuzz/crash-"$name"-* 2>/dev/null | head -c 600)"
  done
  exit 1
fi
echo "fuzz-smoke: all targets clean"
