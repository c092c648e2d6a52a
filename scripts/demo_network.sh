#!/usr/bin/env bash
# The proof of concept (the design's first step), on 127.0.0.1 only:
#   2 publisher nodes (A and B) under one 2-of-3 root;
#   3 consumers (android, harmonyos, ios; command-hook installers) online from the start;
#   1 consumer (android) that is offline while the releases are announced.
# A publishes 1.0.0 (full packages). B's release pipeline takes over the
# channel's history (a copy of A's workspace) and publishes 2.0.0 through
# B's own node, with deltas against 1.0.0. The online consumers hear each
# release by gossip; the late joiner starts afterwards and finds 2.0.0
# through B's IPNS name. Ends with a summary per node.
# Usage: demo_network.sh /path/to/converge
set -euo pipefail
cv=$(realpath "${1:?path to converge}")
hook=$(cd "$(dirname "$0")" && pwd)/keep_package_hook.sh  # the platform installer stand-in
work=$(mktemp -d)
repos=()
cleanup() {
  for r in "${repos[@]}"; do "$cv" --repo "$r" shutdown >/dev/null 2>&1 || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '%s\n' "$*"; }
now_ms() { date +%s%3N; }
start_daemon() {  # start_daemon REPO: waits (bounded) until it is ready
  "$cv" --repo "$1" daemon >"$1.log" 2>&1 &
  repos+=("$1")
  for _ in $(seq 300); do grep -q "daemon is ready" "$1.log" && return 0; sleep 0.1; done
  say "daemon $1 did not start:"; cat "$1.log"; return 1
}
swarm_addr() { echo "$(awk '/swarm listening/ {print $4; exit}' "$1.log")/p2p/$(awk '/peer ID/ {print $3; exit}' "$1.log")"; }
status_of() { "$cv" --repo "$1" status --json 2>/dev/null || echo '{}'; }
installed_semver() {
  status_of "$1" | python3 -c "import json,sys; print((json.load(sys.stdin).get('installed') or {}).get('semver',''))"
}
wait_all() {  # wait_all SEMVER NAME...: bounded (120 s)
  local want=$1; shift
  for _ in $(seq 600); do
    local done=1
    for n in "$@"; do [ "$(installed_semver "$work/$n")" = "$want" ] || done=0; done
    [ $done = 1 ] && return 0
    sleep 0.2
  done
  say "not every node installed $want:"; for n in "$@"; do say "  $n: $("$cv" --repo "$work/$n" status | tr '\n' ' ')"; done
  return 1
}

cd "$work"
say "== release keys: a 2-of-3 root shipped inside the app"
for i in 1 2 3; do "$cv" release keygen -o "k$i.json" >/dev/null; done
"$cv" release root init --key k1.json --key k2.json --key k3.json --threshold 2 -o root.json >/dev/null
"$cv" release root sign root.json --key k1.json --key k2.json >/dev/null
say "root.json: threshold 2 of keys k1, k2, k3"

say "== two publisher nodes"
trust_section="{\"channels\": {\"stable\": {\"root\": \"$work/root.json\"}}}"
for p in pub-a pub-b; do
  "$cv" --repo "$work/$p" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 >/dev/null
  "$cv" --repo "$work/$p" config set trust "$trust_section" >/dev/null
done
start_daemon "$work/pub-a"
"$cv" --repo "$work/pub-b" config set bootstrap "[\"$(swarm_addr "$work/pub-a")\"]" >/dev/null
start_daemon "$work/pub-b"
boot="[\"$(swarm_addr "$work/pub-a")\", \"$(swarm_addr "$work/pub-b")\"]"
say "pub-a $(swarm_addr "$work/pub-a")"
say "pub-b $(swarm_addr "$work/pub-b")"

make_consumer() {  # make_consumer NAME OS IPNS-JSON-LIST
  local r=$work/$1
  "$cv" --repo "$r" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 >/dev/null
  "$cv" --repo "$r" config set bootstrap "$boot" >/dev/null
  "$cv" --repo "$r" config set update "{\"channel\": \"stable\", \"root\": \"$work/root.json\",
    \"device\": {\"os\": \"$2\", \"arch\": \"arm64\"}, \"ipns\": $3, \"poll_interval_s\": 10,
    \"retry\": {\"initial_s\": 1, \"max_s\": 5},
    \"installer\": {\"type\": \"command\", \"command\": [\"/usr/bin/env\", \"HOOK_OUT=$work/installed-$1\", \"$hook\"]}}" >/dev/null
}
say "== three consumers online (android, harmonyos, ios), one android consumer offline"
online=(android harmonyos ios)
for n in "${online[@]}"; do make_consumer "$n" "$n" "[]"; start_daemon "$work/$n"; done
for n in "${online[@]}"; do
  for _ in $(seq 150); do
    [ "$(status_of "$work/$n" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("peers",0))')" -ge 1 ] && break
    sleep 0.2
  done
done

say "== publisher A publishes 1.0.0 for three platforms"
for n in android harmonyos ios; do head -c 2000000 /dev/urandom >"app-$n-1.0.0.bin"; done
"$cv" release init-channel --workspace "$work/ws-a" --channel stable --root root.json >/dev/null
t1=$(now_ms)
"$cv" --repo "$work/pub-a" release publish --workspace "$work/ws-a" --semver 1.0.0 --key k1.json --key k2.json \
  --artifact android/arm64="$work/app-android-1.0.0.bin" --artifact harmonyos/arm64="$work/app-harmonyos-1.0.0.bin" \
  --artifact ios/arm64="$work/app-ios-1.0.0.bin" | sed 's/^/  /'
wait_all 1.0.0 "${online[@]}"
say "every online consumer runs 1.0.0 ($(( $(now_ms) - t1 )) ms after publishing began)"

say "== publisher B publishes 2.0.0 with deltas (its pipeline holds the channel's history)"
cp -r "$work/ws-a" "$work/ws-b"
for n in android harmonyos ios; do
  { head -c 1000000 "app-$n-1.0.0.bin"; printf 'fix for %s in 2.0.0' "$n"; tail -c +1000001 "app-$n-1.0.0.bin"; } >"app-$n-2.0.0.bin"
done
t2=$(now_ms)
"$cv" --repo "$work/pub-b" release publish --workspace "$work/ws-b" --semver 2.0.0 --key k2.json --key k3.json \
  --artifact android/arm64="$work/app-android-2.0.0.bin" --artifact harmonyos/arm64="$work/app-harmonyos-2.0.0.bin" \
  --artifact ios/arm64="$work/app-ios-2.0.0.bin" --json >publish-2.json
python3 - "$work/publish-2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  published {r['semver']} sequence {r['sequence']}")
for a in r["artifacts"]:
    d = ", ".join(f"delta from {x['base_version']} {x['size']} bytes ({x['method']})" for x in a["deltas"]) or "no delta"
    print(f"  {a['path']}: {a['size']} bytes, {d}")
for s in r["steps"]:
    print(f"  {s['step']:<14} {'ok' if s['ok'] else 'FAILED'} {s['detail']}")
PY
ipns_b=$(python3 -c "import json; s=[x for x in json.load(open('$work/publish-2.json'))['steps'] if x['step']=='ipns']; print(s[0]['detail'].split()[0].split('/')[2])")
wait_all 2.0.0 "${online[@]}"
say "every online consumer runs 2.0.0 ($(( $(now_ms) - t2 )) ms after publishing began)"

say "== the offline android consumer comes online and resolves /ipns/$ipns_b"
make_consumer android-late android "[\"$ipns_b\"]"
t3=$(now_ms)
start_daemon "$work/android-late"
wait_all 2.0.0 android-late
say "the late joiner runs 2.0.0 ($(( $(now_ms) - t3 )) ms after it started)"

say "== summary"
printf '%-13s %-8s %-10s %-8s %-12s %s\n' node version heard_by fetched bytes "heard->installed"
for n in "${online[@]}" android-late; do
  status_of "$work/$n" | python3 -c "
import json, sys
s = json.load(sys.stdin); i = s.get('installed') or {}
took = (i.get('installed_at', 0) - i.get('heard_at', 0)) if i else 0
print(f\"{'$n':<13} {i.get('semver','-'):<8} {i.get('heard_via','-'):<10} {i.get('fetched_as','-'):<8} {i.get('bytes_fetched',0):<12} {took} s\")"
  cmp -s "$work/installed-$n/2.0.0" "$work/app-$( [ "$n" = android-late ] && echo android || echo "$n")-2.0.0.bin" ||
    { say "$n: installed bytes differ from the published 2.0.0"; exit 1; }
done
say "every node installed exactly the published 2.0.0 bytes"
