#!/usr/bin/env bash
# The host benchmark of issue 3, in one run on 127.0.0.1, every peer in its own
# process (two cores: one sender, one receiver):
#   - perf (/perf/1.0.0) throughput over one connection: C++->C++, js->js,
#     C++->js and js->C++ (upload and download, MiB/s);
#   - connect (TCP + Noise + Yamux) plus a 1-byte echo round trip: C++ and js;
#   - the machine's limits: raw TCP over loopback (iperf3) and one core of
#     ChaCha20-Poly1305 (openssl speed);
# and the ratios the issue's goals are stated in.
# Usage: bench/p2p/host_bench.sh [build dir = build/default] [MiB = 1024] [connect rounds = 200]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/default}; mib=${2:-1024}; rounds=${3:-200}
bench=$build/bench/p2p/perf_bench
node=$root/interop/node_modules/node/bin/node
js=$root/interop/perf/js_perf.mjs
[ -x "$bench" ] || { echo "host_bench: build $bench first (make build)" >&2; exit 1; }
[ -x "$node" ] || { echo "host_bench: run scripts/install-deps.sh (npm ci in interop/) first" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "host_bench: iperf3 missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# start_server <name> <command...>: runs it with stdin held open by this
# shell (it exits when the pipe closes) and waits for its address line.
# Not to be called in $(...): the pipe would close with the subshell.
start_server() {
  local name=$1; shift
  mkfifo "$tmp/$name.in"
  "$@" <"$tmp/$name.in" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  exec {fd}>"$tmp/$name.in"
  for _ in $(seq 200); do [ -s "$tmp/$name.out" ] && break; sleep 0.1; done
}
addr_of() {
  python3 - "$tmp/$1.out" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
a = d["addrs"][0]
print(a if "/p2p/" in a else a + "/p2p/" + d["id"])
PY
}

echo "host_bench: $(nproc) cores, $(uname -r), node $("$node" --version), $mib MiB per direction, $rounds connect rounds"

port=$((20000 + RANDOM % 20000))
iperf3 -s -1 -p "$port" >/dev/null 2>&1 & pids+=($!)
sleep 0.5
tcp=$(iperf3 -c 127.0.0.1 -p "$port" -t 5 -J | python3 -c "import json,sys; print('%.0f' % (json.load(sys.stdin)['end']['sum_received']['bits_per_second']/8/1048576))")
aead=$(openssl speed -evp chacha20-poly1305 -seconds 3 -bytes 16384 2>/dev/null | awk '/^ChaCha20-Poly1305/ {print $NF}' | sed 's/k$//')
aead_mibs=$(python3 -c "print('%.0f' % (float('$aead')*1000/1048576))")

start_server cpp "$bench" serve
start_server js "$node" "$js" serve
cpp_srv=$(addr_of cpp); js_srv=$(addr_of js)

cc=$("$bench" run "$cpp_srv" "$mib")
jj=$("$node" "$js" run "$js_srv" "$mib")
# Bounded: a peer that stops answering is reported as stalled, not waited on.
cj=$(timeout 120 "$bench" run "$js_srv" "$mib" || echo '{"upload_mibs": "stalled", "download_mibs": "stalled"}')
jc=$("$node" "$js" run "$cpp_srv" "$mib")
c_conn=$("$bench" connect "$cpp_srv" "$rounds")
j_conn=$("$node" "$js" connect "$js_srv" "$rounds")
jc_conn=$("$node" "$js" connect "$cpp_srv" "$rounds")

printf '\n%-34s %12s %12s\n' "perf over one connection (MiB/s)" upload download
for pair in "C++ -> C++:$cc" "js -> js:$jj" "C++ -> js:$cj" "js -> C++:$jc"; do
  name=${pair%%:*}; data=${pair#*:}
  printf '%-34s %12s %12s\n' "$name" "$(json "$data" upload_mibs)" "$(json "$data" download_mibs)"
done
printf '\n%-34s %12s %12s\n' "connect + 1-byte round trip (ms)" median p99
printf '%-34s %12s %12s\n' "C++ -> C++" "$(json "$c_conn" median_ms)" "$(json "$c_conn" p99_ms)"
printf '%-34s %12s %12s\n' "js -> js" "$(json "$j_conn" median_ms)" "$(json "$j_conn" p99_ms)"
printf '%-34s %12s %12s\n' "js -> C++" "$(json "$jc_conn" median_ms)" "$(json "$jc_conn" p99_ms)"
printf '\n%-34s %12s\n' "raw TCP loopback, iperf3 (MiB/s)" "$tcp"
printf '%-34s %12s\n' "ChaCha20-Poly1305, 1 core (MiB/s)" "$aead_mibs"

python3 - "$cc" "$jj" "$c_conn" "$j_conn" "$tcp" "$aead_mibs" <<'PY'
import json, sys
cc, jj, cconn, jconn = (json.loads(a) for a in sys.argv[1:5])
tcp, aead = float(sys.argv[5]), float(sys.argv[6])
c = min(cc["upload_mibs"], cc["download_mibs"]); j = min(jj["upload_mibs"], jj["download_mibs"])
print("\nratios (goal in brackets):")
print(f"  C++ / js throughput (slower direction each) {c / j:6.2f}x   [>= 4]")
print(f"  C++ / raw TCP                               {c / tcp:6.2f}    [>= 0.5]")
print(f"  C++ / one core of ChaCha20-Poly1305         {c / aead:6.2f}")
print(f"  C++ / js connect + 1 byte time              {cconn['median_ms'] / jconn['median_ms']:6.2f}    [<= 0.25]")
PY
