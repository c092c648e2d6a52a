#!/usr/bin/env bash
# Issue 4's benchmark in one run:
#   1. the simulator: GossipSub at 1,000 and 10,000 nodes (bench/pubsub/gossip_sim_bench.cpp:
#      D = 6, 100 ms links with jitter, 1% loss), delivery, p50/p95/p99, duplicates, wall time;
#   2. for comparison, real nodes on loopback (interop/gossip/mesh.mjs): a mesh of 8 js-libp2p
#      @libp2p/gossipsub nodes, then one of 8 converge-p2pd daemons, each node publishing 5
#      messages; publish-to-receive latency p50/p99 (one clock: the mocha process).
# Loopback links have no 100 ms latency: part 2 compares the implementations' own overhead.
# Usage: bench/pubsub/gossip_bench.sh [build dir = build/default] [sim sizes = "1000 10000"]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}; sizes=${2:-"1000 10000"}
sim=$build/bench/pubsub/gossip_sim_bench
p2pd=$(realpath "$build/apps/converge-p2pd/converge-p2pd" 2>/dev/null)
[ -x "$sim" ] || { echo "gossip_bench: build $sim first (make build)" >&2; exit 1; }
echo "gossip_bench: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
"$sim" "$sizes"

node=$root/interop/node_modules/node/bin/node
if [ ! -x "$node" ] || [ ! -x "$p2pd" ]; then
  echo "loopback meshes: skipped (npm packages under interop/ or converge-p2pd missing)"
  exit 0
fi
echo "loopback meshes (real nodes, 127.0.0.1):"
for mix in "8 0" "0 8"; do
  set -- $mix
  (cd "$root/interop" && MESH_JS=$1 MESH_CONVERGE=$2 CONVERGE_P2PD=$p2pd \
    "$node" node_modules/mocha/bin/mocha.js --exit --timeout 120000 gossip/mesh.mjs 2>&1) |
    grep -E 'mixed mesh:|failing' | sed 's/^ */  /'
done
