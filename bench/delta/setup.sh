#!/usr/bin/env bash
# Prepares the delta benchmark's inputs: installs the baseline tools when
# missing (Debian's bsdiff and xdelta3; zstd is already a dependency), fetches
# real release pairs with `npm pack` and extracts the file each pair compares.
# It compiles nothing: the harness is the build target delta_bench.
#   bench/delta/setup.sh [DIR]      (default /tmp/converge-delta-bench)
# Then: BUILD/bench/delta/delta_bench DIR/pairs.txt --converge BUILD/apps/converge/converge
set -euo pipefail
dir="${1:-/tmp/converge-delta-bench}"
mkdir -p "$dir/dl" "$dir/pairs"

need=()
command -v bsdiff >/dev/null || need+=(bsdiff)
command -v xdelta3 >/dev/null || need+=(xdelta3)
command -v zstd >/dev/null || need+=(zstd)
command -v npm >/dev/null || { echo "setup: npm is needed to fetch the release pairs" >&2; exit 1; }
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: install ${need[*]} (needs root)" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# name  package  old-version  new-version  path-inside-the-tarball  kind
pairs=(
  "esbuild        @esbuild/linux-x64             0.24.0        0.24.1        package/bin/esbuild                 exe"
  "biome          @biomejs/cli-linux-x64         2.3.10        2.3.11        package/biome                       exe"
  "swc            @swc/core-linux-x64-gnu        1.15.10       1.15.11       package/swc.linux-x64-gnu.node      exe"
  "appium-apk     io.appium.settings             8.0.9         8.0.10        package/apks/settings_apk-debug.apk zip"
  "closure-jar-a  google-closure-compiler-java   20261007.0.0  20261011.0.0  package/compiler.jar                zip"
  "closure-jar-b  google-closure-compiler-java   20261011.0.0  20261015.0.0  package/compiler.jar                zip"
)
: > "$dir/pairs.txt"
for line in "${pairs[@]}"; do
  read -r name pkg v_old v_new inner kind <<<"$line"
  mkdir -p "$dir/pairs/$name"
  for side in old new; do
    v=$v_old; [ $side = new ] && v=$v_new
    out="$dir/pairs/$name/$side"
    if [ ! -s "$out" ]; then
      tgz=$(cd "$dir/dl" && npm pack --silent "$pkg@$v" 2>/dev/null | tail -1)
      tar -xzf "$dir/dl/$tgz" -C "$dir/dl" "$inner"
      mv "$dir/dl/$inner" "$out"
    fi
  done
  echo "$name $kind $dir/pairs/$name/old $dir/pairs/$name/new" >> "$dir/pairs.txt"
done

echo "setup: $(wc -l < "$dir/pairs.txt") pairs in $dir/pairs.txt"
