#!/usr/bin/env bash
# The update network end to end, with real processes on 127.0.0.1: one
# publisher daemon and two consumer daemons (linux/x86_64 and android/arm64,
# both with the command hook installer). The publisher publishes 1.0.0, then
# 2.0.0 with deltas; each consumer must hear the release, verify it, fetch
# its own platform's artifact (the delta for 2.0.0), check it and hand
# exactly the published bytes to its hook. A release signed by keys the root
# does not trust is then published from another workspace: nobody installs it.
# Prints "e2e-update: N passed, M failed"; exit 1 on any failure.
set -u
cv=$(realpath "${1:?path to converge}")
work=$(mktemp -d)
pids=()
repos=()
cleanup() {
  for r in "${repos[@]}"; do "$cv" --repo "$r" shutdown >/dev/null 2>&1; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && echo "work dir kept: $work" || rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
run() {  # run NAME ARGS...: converge must exit 0
  local name=$1; shift
  if ! "$cv" "$@" >"$work/out" 2>"$work/err"; then bad "$name: $(cat "$work/err")"; return 1; fi
  ok
}
start_daemon() {
  "$cv" --repo "$1" daemon >"$1.log" 2>&1 &
  pids+=($!)
  repos+=("$1")
  for _ in $(seq 300); do grep -q "daemon is ready" "$1.log" && return 0; sleep 0.1; done
  bad "daemon for $1 did not become ready: $(cat "$1.log")"
  return 1
}
status_field() {  # status_field REPO JQ-LIKE-PYTHON-EXPR
  "$cv" --repo "$1" status --json 2>/dev/null |
    python3 -c "import json,sys; s=json.load(sys.stdin); print($2)" 2>/dev/null
}
# wait_installed REPO SEMVER: polls the agent's status (bounded: 90 s).
wait_installed() {
  for _ in $(seq 450); do
    [ "$(status_field "$1" "(s.get('installed') or {}).get('semver','')")" = "$2" ] && return 0
    sleep 0.2
  done
  bad "$(basename "$1") did not install $2: $("$cv" --repo "$1" status 2>&1 | tr '\n' ' ')"
  return 1
}

cd "$work" || exit 1
# Release keys: a 2-of-3 root.
for i in 1 2 3 4; do "$cv" release keygen -o "k$i.json" >/dev/null || bad "keygen $i"; done
run "root init" release root init --key k1.json --key k2.json --key k3.json --threshold 2 -o root.json
run "root sign" release root sign root.json --key k1.json --key k2.json

# The publisher's node.
pub=$work/pub
run "init publisher" --repo "$pub" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0
# The publisher's node judges the channel's DHT values too (trust.channels).
run "publisher trust" --repo "$pub" config set trust "{\"channels\": {\"stable\": {\"root\": \"$work/root.json\"}}}"
start_daemon "$pub" || exit 1
pub_addr="$(awk '/swarm listening/ {print $4; exit}' "$pub.log")/p2p/$(awk '/peer ID/ {print $3; exit}' "$pub.log")"

# Consumers: bootstrap to the publisher, an update section, a hook that keeps what it was handed.
hook=$work/hook.sh
cat >"$hook" <<'SH'
#!/bin/sh
# install PACKAGE | status RELEASE; the package is kept as installed-<version>.
dir=$(dirname "$0")/installed-$CONVERGE_NAME
mkdir -p "$dir"
case "$1" in
  install) cp "$2" "$dir/$CONVERGE_VERSION" && echo "$CONVERGE_VERSION" >"$dir/current" ;;
  status) [ "$(cat "$dir/current" 2>/dev/null)" = "$CONVERGE_VERSION" ] || exit 75 ;;
esac
SH
chmod 755 "$hook"
consumer() {  # consumer NAME OS ARCH
  local r=$work/$1
  run "init $1" --repo "$r" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 || return 1
  run "bootstrap $1" --repo "$r" config set bootstrap "[\"$pub_addr\"]"
  run "update section $1" --repo "$r" config set update \
    "{\"channel\": \"stable\", \"root\": \"$work/root.json\", \"device\": {\"os\": \"$2\", \"arch\": \"$3\"},
      \"poll_interval_s\": 5, \"retry\": {\"initial_s\": 1, \"max_s\": 5},
      \"installer\": {\"type\": \"command\", \"command\": [\"/usr/bin/env\", \"CONVERGE_NAME=$1\", \"$hook\"]}}"
  start_daemon "$r"
}
consumer linux linux x86_64 || exit 1
consumer android android arm64 || exit 1
# Both consumers see the publisher on the release topic before anything is published.
for r in "$work/linux" "$work/android"; do
  for _ in $(seq 150); do [ "$(status_field "$r" "s['peers']")" -ge 1 ] 2>/dev/null && break; sleep 0.2; done
done

# 1.0.0: full packages.
head -c 400000 /dev/urandom >linux-1.bin
head -c 300000 /dev/urandom >android-1.bin
run "init-channel" release init-channel --workspace "$work/ws" --channel stable --root root.json
run "publish 1.0.0" --repo "$pub" release publish --workspace "$work/ws" --semver 1.0.0 \
  --artifact linux/x86_64="$work/linux-1.bin" --artifact android/arm64="$work/android-1.bin" \
  --key k1.json --key k2.json --key k3.json --json
cp "$work/out" "$work/publish-1.json"
for c in linux android; do
  wait_installed "$work/$c" 1.0.0 || continue
  cmp -s "$work/installed-$c/1.0.0" "$work/$c-1.bin" && ok || bad "$c: the hook was not handed the published 1.0.0 bytes"
  [ "$(status_field "$work/$c" "s['installed']['fetched_as']")" = full ] && ok || bad "$c: 1.0.0 not fetched as full"
done

# 2.0.0: small changes, so the publisher makes deltas and the consumers take them.
{ head -c 200000 linux-1.bin; printf 'linux 2.0.0'; tail -c +200001 linux-1.bin; } >linux-2.bin
{ head -c 100000 android-1.bin; printf 'android 2.0.0'; tail -c +100001 android-1.bin; } >android-2.bin
run "publish 2.0.0" --repo "$pub" release publish --workspace "$work/ws" --semver 2.0.0 \
  --artifact linux/x86_64="$work/linux-2.bin" --artifact android/arm64="$work/android-2.bin" \
  --key k1.json --key k2.json --json
cp "$work/out" "$work/publish-2.json"
python3 -c "import json; r=json.load(open('$work/publish-2.json')); assert r['sequence']==2; \
assert all(len(a['deltas'])==1 for a in r['artifacts']), r" 2>"$work/err" && ok || bad "2.0.0 has no deltas: $(cat "$work/err")"
for c in linux android; do
  wait_installed "$work/$c" 2.0.0 || continue
  cmp -s "$work/installed-$c/2.0.0" "$work/$c-2.bin" && ok || bad "$c: the hook was not handed the published 2.0.0 bytes"
  [ "$(status_field "$work/$c" "s['installed']['fetched_as']")" = delta ] && ok || bad "$c: 2.0.0 not fetched as a delta"
  got=$(status_field "$work/$c" "s['installed']['bytes_fetched']")
  [ -n "$got" ] && [ "$got" -lt 100000 ] && ok || bad "$c: fetched $got bytes for 2.0.0 (a delta is far smaller)"
done

# A forged 3.0.0: a workspace under a root the consumers do not trust, signed by a key they do not know.
run "forged root" release root init --key k4.json --threshold 1 -o forged-root.json
run "forged root sign" release root sign forged-root.json --key k4.json
run "forged channel" release init-channel --workspace "$work/forged" --channel stable --root forged-root.json
head -c 1000 /dev/urandom >evil.bin
"$cv" --repo "$pub" release publish --workspace "$work/forged" --semver 3.0.0 --no-network-read \
  --artifact linux/x86_64="$work/evil.bin" --artifact android/arm64="$work/evil.bin" --key k4.json \
  >"$work/forged.out" 2>&1 || true
# Ask both consumers to look at IPNS and the DHT key now, then give gossip a moment.
for c in linux android; do "$cv" --repo "$work/$c" update check >/dev/null 2>&1 || true; done
sleep 3
for c in linux android; do
  [ "$(status_field "$work/$c" "s['installed']['semver']")" = 2.0.0 ] && ok || bad "$c: left 2.0.0 after a forged release"
  [ ! -e "$work/installed-$c/3.0.0" ] && ok || bad "$c: the hook was handed the forged release"
done

echo "e2e-update: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
