# Shared by the tests/e2e scripts (source it after setting cv): a work
# directory, pass/fail counting, daemons on 127.0.0.1, the agent's status.
work=$(mktemp -d)
pids=()
repos=()
pass=0 fail=0
e2e_cleanup() {
  for r in "${repos[@]}"; do "$cv" --repo "$r" shutdown >/dev/null 2>&1; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && echo "work dir kept: $work" || rm -rf "$work"
}
trap e2e_cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() {  # check NAME CONDITION...: the condition (a command) must succeed
  local name=$1; shift
  if "$@"; then ok; else bad "$name"; fi
}
run() {  # run NAME ARGS...: converge must exit 0 (its output in $work/out)
  local name=$1; shift
  if ! "$cv" "$@" >"$work/out" 2>"$work/err"; then bad "$name: $(cat "$work/err")"; return 1; fi
  ok
}
start_daemon() {  # start_daemon REPO: waits (bounded) for "daemon is ready"
  "$cv" --repo "$1" daemon >>"$1.log" 2>&1 &
  pids+=($!)
  repos+=("$1")
  for _ in $(seq 300); do grep -q "daemon is ready" "$1.log" && return 0; sleep 0.1; done
  bad "daemon for $1 did not become ready: $(cat "$1.log")"
  return 1
}
swarm_addr() { echo "$(awk '/swarm listening/ {a=$4} END {print a}' "$1.log")/p2p/$(awk '/peer ID/ {print $3; exit}' "$1.log")"; }
status_field() {  # status_field REPO PYTHON-EXPR-OVER-s
  "$cv" --repo "$1" status --json 2>/dev/null |
    python3 -c "import json,sys; s=json.load(sys.stdin); print($2)" 2>/dev/null
}
wait_installed() {  # wait_installed REPO SEMVER: bounded (90 s)
  for _ in $(seq 450); do
    [ "$(status_field "$1" "(s.get('installed') or {}).get('semver','')")" = "$2" ] && return 0
    sleep 0.2
  done
  bad "$(basename "$1") did not install $2: $("$cv" --repo "$1" status 2>&1 | tr '\n' ' ')"
  return 1
}
wait_peers() {  # wait_peers REPO: the release topic has a peer (bounded: 30 s)
  for _ in $(seq 150); do [ "$(status_field "$1" "s['peers']")" -ge 1 ] 2>/dev/null && return 0; sleep 0.2; done
  return 1
}
# A 2-of-3 root (k1..k3) and k4, a key the root does not know.
make_root() {
  for i in 1 2 3 4; do "$cv" release keygen -o "$work/k$i.json" >/dev/null || bad "keygen $i"; done
  run "root init" release root init --key "$work/k1.json" --key "$work/k2.json" --key "$work/k3.json" --threshold 2 \
    -o "$work/root.json"
  run "root sign" release root sign "$work/root.json" --key "$work/k1.json" --key "$work/k2.json"
}
# start_publisher NAME: a node that judges the channel's DHT values under root.json.
start_publisher() {
  local r=$work/$1
  run "init $1" --repo "$r" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 || return 1
  run "$1 trust" --repo "$r" config set trust "{\"channels\": {\"stable\": {\"root\": \"$work/root.json\"}}}"
  start_daemon "$r"
}
# The command hook (scripts/keep_package_hook.sh) keeps each package it is
# handed as $work/installed-<name>/<version>.
hook=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/keep_package_hook.sh
hook_installer() { echo "{\"type\": \"command\", \"command\": [\"/usr/bin/env\", \"HOOK_OUT=$work/installed-$1\", \"$hook\"]}"; }
# start_consumer NAME OS ARCH INSTALLER-JSON BOOTSTRAP-ADDR
start_consumer() {
  local r=$work/$1
  run "init $1" --repo "$r" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 || return 1
  run "bootstrap $1" --repo "$r" config set bootstrap "[\"$5\"]"
  run "update section $1" --repo "$r" config set update \
    "{\"channel\": \"stable\", \"root\": \"$work/root.json\", \"device\": {\"os\": \"$2\", \"arch\": \"$3\"},
      \"poll_interval_s\": 5, \"retry\": {\"initial_s\": 1, \"max_s\": 5}, \"installer\": $4}"
  start_daemon "$r"
}
