#!/usr/bin/env bash
# Issue 9's benchmark: from `release publish` to every consumer installed,
# with real daemons on 127.0.0.1 (one publisher, N consumers, each its own
# process). For each consumer count it prints:
#   - publish: how long the publish command took (import, sign, announce);
#   - all installed: from the start of publish to the last consumer's install
#     (the command hook stamps the time), and the median;
#   - origin egress: the Bitswap bytes the publisher sent, per consumer and as
#     a fraction of the artifact (the goal at 50: under 1/4, falling as
#     consumers are added);
#   - consumer peak RSS (VmHWM) median and max (goal: at most 24 MiB), and
#     the publisher's;
# and the machine it ran on (cores, memory, loopback TCP from iperf3).
#
# Each consumer bootstraps from the publisher and from up to 3 consumers
# started before it (the partial mesh a DHT would give), hears the release by
# gossip and waits its random jitter (update.jitter_s) before fetching, so
# that early consumers serve later ones: the thundering-herd guard the design
# relies on. A row per count with jitter 0 shows the herd.
#
# Usage: bench/update/update_bench.sh [build dir = build/default]
#          [consumer counts = "3 50"] [artifact MiB = 8] [jitters, s = "0 20"]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}; counts=${2:-"3 50"}; mib=${3:-8}; jitters=${4:-"0 20"}
cv=$(realpath "$build/apps/converge/converge")
[ -x "$cv" ] || { echo "update_bench: build $cv first (make build)" >&2; exit 1; }

# one_run N JITTER: prints one result line (key=value ...) on stdout.
one_run() {
  local n=$1 jit=$2
  (
    . "$root/tests/e2e/lib.sh"  # $work, start_daemon, swarm_addr, make_root, cleanup on exit
    exec 3>&1 1>"$work/bench.log" 2>&1
    cd "$work" || exit 1
    make_root
    start_publisher pub || exit 1
    local pub=$work/pub addrs=() i
    addrs+=("$(swarm_addr "$pub")")
    for i in $(seq 1 "$n"); do
      local r=$work/c$i boot
      # The publisher and up to 3 earlier consumers, chosen at random.
      boot=$(printf '%s\n' "${addrs[@]:1}" | shuf -n 3 | python3 -c "import json,sys; \
print(json.dumps([sys.argv[1]] + [l.strip() for l in sys.stdin if l.strip()]))" "${addrs[0]}")
      run "init c$i" --repo "$r" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 || exit 1
      run "bootstrap c$i" --repo "$r" config set bootstrap "$boot"
      run "update c$i" --repo "$r" config set update \
        "{\"channel\": \"stable\", \"root\": \"$work/root.json\", \"device\": {\"os\": \"linux\", \"arch\": \"x86_64\"},
          \"poll_interval_s\": 600, \"jitter_s\": $jit, \"retry\": {\"initial_s\": 1, \"max_s\": 5},
          \"installer\": {\"type\": \"command\", \"command\": [\"/usr/bin/env\", \"HOOK_OUT=$work/stamps/c$i\", \"$here/stamp_hook.sh\"]}}"
      start_daemon "$r" || exit 1
      addrs+=("$(swarm_addr "$r")")
    done
    for i in $(seq 1 "$n"); do wait_peers "$work/c$i" || bad "c$i has no peer on the release topic"; done
    sleep 3  # a few gossipsub heartbeats: meshes settle
    head -c $((mib * 1048576)) /dev/urandom >"$work/app.bin"
    run "init-channel" release init-channel --workspace "$work/ws" --channel stable --root root.json
    local before t0 t1 idle_rss
    if [ -n "${BENCH_SMAPS:-}" ]; then  # diagnosis: where a connected, idle consumer's memory is
      echo "== idle consumer ${pids[1]}: $(grep -E '^(Rss|Pss|Anonymous)' "/proc/${pids[1]}/smaps_rollup" | tr -s ' ' | tr '\n' ' ')" >>"$BENCH_SMAPS"
      echo "   connections: $(ls "/proc/${pids[1]}/fd" | wc -l) fds" >>"$BENCH_SMAPS"
    fi
    idle_rss=$(for p in "${pids[@]:1}"; do awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null; done | sort -n |
      awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1024}')
    before=$("$cv" --repo "$pub" block stat | awk '/^bitswap_bytes_sent/ {print $2}')
    t0=$(date +%s.%N)
    run "publish" --repo "$pub" release publish --workspace "$work/ws" --semver 1.0.0 --delta-bases 0 \
      --artifact linux/x86_64="$work/app.bin" --key k1.json --key k2.json
    t1=$(date +%s.%N)
    # Bounded wait: every consumer's hook has stamped 1.0.0.
    local done_count=0
    for _ in $(seq 1200); do
      done_count=$(ls "$work"/stamps/c*/1.0.0 2>/dev/null | wc -l)
      [ "$done_count" -ge "$n" ] && break
      sleep 0.5
    done
    local after rss pub_rss received=0 r
    for i in $(seq 1 "$n"); do
      r=$("$cv" --repo "$work/c$i" block stat | awk '/^bitswap_bytes_received/ {print $2}')
      received=$((received + ${r:-0}))
    done
    after=$("$cv" --repo "$pub" block stat | awk '/^bitswap_bytes_sent/ {print $2}')
    rss=$(for p in "${pids[@]:1}"; do awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null; done | tr '\n' ' ')
    pub_rss=$(awk '/^VmHWM/ {print $2}' "/proc/${pids[0]}/status" 2>/dev/null)
    if [ -n "${BENCH_SMAPS:-}" ]; then  # diagnosis: where each consumer's memory is
      for p in "${pids[@]:1}"; do echo "== consumer $p"; sort -k2 -n -r <(awk '/^[0-9a-f]+-/ {name=$6} /^Rss:/ {rss[name]+=$2} END {for (n in rss) print n, rss[n]}' "/proc/$p/smaps") | head -8; done >>"$BENCH_SMAPS"
    fi
    local stamps
    stamps=$(cat "$work"/stamps/c*/1.0.0 2>/dev/null | tr '\n' ' ')
    python3 - "$n" "$jit" "$mib" "$t0" "$t1" "$before" "$after" "$done_count" "$pub_rss" "$rss" "$stamps" "$fail" "$received" "$idle_rss" >&3 <<'PY'
import statistics, sys
n, jit, mib = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0, t1 = float(sys.argv[4]), float(sys.argv[5])
before, after, done = int(sys.argv[6] or 0), int(sys.argv[7] or 0), int(sys.argv[8])
pub_rss = int(sys.argv[9] or 0) / 1024
rss = [int(x) / 1024 for x in sys.argv[10].split()]
stamps = sorted(float(x) - t0 for x in sys.argv[11].split())
fails = int(sys.argv[12])
received = int(sys.argv[13])
idle_rss = float(sys.argv[14] or 0)
size = mib * 1048576
egress = after - before
print(f"n={n} jitter={jit} installed={done} failures={fails} publish_s={t1 - t0:.2f} "
      f"all_s={(stamps[-1] if stamps else float('nan')):.2f} median_s={(statistics.median(stamps) if stamps else float('nan')):.2f} "
      f"egress_mib={egress / 1048576:.2f} egress_per_consumer={egress / n / size:.3f} "
      f"rss_median_mib={(statistics.median(rss) if rss else 0):.1f} rss_max_mib={(max(rss) if rss else 0):.1f} "
      f"pub_rss_mib={pub_rss:.1f} received_per_consumer={received / n / size:.2f} idle_rss_mib={idle_rss:.1f} "
      f"rss_by_consumer={','.join('%.1f' % x for x in rss)}")
PY
  )
}

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

tcp=n/a
if command -v iperf3 >/dev/null; then
  port=$((20000 + RANDOM % 20000))
  iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
  sleep 0.5
  tcp=$(iperf3 -c 127.0.0.1 -p "$port" -t 3 -J 2>/dev/null |
    python3 -c "import json,sys; print('%.0f' % (json.load(sys.stdin)['end']['sum_received']['bits_per_second']/8/1048576))" 2>/dev/null || echo n/a)
fi
echo "update_bench: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), loopback TCP $tcp MiB/s (iperf3), artifact $mib MiB, $("$cv" version)"
printf '\n%9s %7s %9s %9s %10s %9s %12s %13s %10s %9s %12s %12s %10s\n' consumers jitter installed publish "all inst." median "origin MiB" "egress/cons." "recv/cons." "idle RSS" "RSS med MiB" "RSS max MiB" "pub MiB"
rows=()
for n in $counts; do
  for jit in $jitters; do
    line=$(one_run "$n" "$jit")
    rows+=("$line")
    printf '%9s %6ss %9s %8ss %9ss %8ss %12s %12sx %9sx %9s %12s %12s %10s\n' "$n" "$jit" "$(field "$line" installed)/$n" \
      "$(field "$line" publish_s)" "$(field "$line" all_s)" "$(field "$line" median_s)" "$(field "$line" egress_mib)" \
      "$(field "$line" egress_per_consumer)" "$(field "$line" received_per_consumer)" "$(field "$line" idle_rss_mib)" "$(field "$line" rss_median_mib)" \
      "$(field "$line" rss_max_mib)" "$(field "$line" pub_rss_mib)"
  done
done
echo
echo "egress/cons. is the publisher's Bitswap bytes sent per consumer, recv/cons. what each consumer received"
echo "from everyone (duplicates included), both as a fraction of the artifact. idle RSS: the consumers' median"
echo "VmRSS just before the publish (connected, nothing fetched); RSS med/max: their peak (VmHWM) at the end."
echo "Goals (issue 9): with jitter, egress/cons. falls as consumers are added and is under 0.25 at 50; consumer peak RSS <= 24 MiB."
printf '%s\n' "${rows[@]}" >"${BENCH_RAW:-/dev/null}"
