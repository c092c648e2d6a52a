#!/usr/bin/env bash
# Peak memory of rebuilding a 100 MiB file: concatenates the benchmark's
# release pairs (old files, then new files, in the same order) up to 100 MiB,
# makes one patch per method and measures make and apply with GNU time
# (maximum resident set size, which counts file-backed mapped pages too).
#   bench/delta/rss_100mib.sh CONVERGE [DIR]   (DIR as given to setup.sh)
set -euo pipefail
converge="$1"
dir="${2:-/tmp/converge-delta-bench}"
w="$dir/rss"
mkdir -p "$w"
size=$((100 * 1024 * 1024))
for side in old new; do
  : > "$w/$side.cat"
  while [ "$(stat -c %s "$w/$side.cat")" -lt $size ]; do
    for p in biome swc esbuild closure-jar-a appium-apk; do cat "$dir/pairs/$p/$side" >> "$w/$side.cat"; done
  done
  truncate -s $size "$w/$side.cat"
done
measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label: %e s, max RSS %M KiB" "$@" > /dev/null
}
for m in bsdiff zstd; do
  # The cover method's stream codecs keep their defaults; the zstd prefix
  # method runs at level 3 (apply memory does not depend on the level).
  level=(); [ $m = zstd ] && level=(--level 3)
  measure "make  $m" "$converge" delta make "$w/old.cat" "$w/new.cat" -o "$w/p.$m" --method $m "${level[@]}"
  measure "apply $m" "$converge" delta apply "$w/old.cat" "$w/p.$m" -o "$w/out.$m"
  cmp "$w/out.$m" "$w/new.cat" && echo "apply $m: output identical, patch $(stat -c %s "$w/p.$m") bytes"
  rm -f "$w/out.$m"
done
