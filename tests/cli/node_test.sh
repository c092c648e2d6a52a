#!/usr/bin/env bash
# The node as a user runs it: two repositories and daemons on 127.0.0.1,
# the commands that talk to them, and the one-line refusals (no repository,
# no daemon, a second daemon, a wrong token, a public API address).
# Prints "cli-node: N passed, M failed"; exit 1 on any failure.
set -u
cv=${1:?path to converge}
work=$(mktemp -d)
pids=()
cleanup() {
  for r in "$work/a" "$work/b"; do "$cv" --repo "$r" shutdown >/dev/null 2>&1; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_ok() {
  local name=$1 re=$2; shift 2
  local out rc
  out=$("$cv" "$@" 2>"$work/err"); rc=$?
  if [ $rc -ne 0 ]; then bad "$name: exit $rc: $(cat "$work/err")"; return; fi
  if ! grep -Eq -- "$re" <<<"$out"; then bad "$name: output does not match /$re/: $out"; return; fi
  ok
}
expect_err() {
  local name=$1 re=$2; shift 2
  local rc lines
  "$cv" "$@" >/dev/null 2>"$work/err"; rc=$?
  lines=$(wc -l <"$work/err")
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then bad "$name: exit $rc (want a failure, not a crash)"; return; fi
  if [ "$lines" -ne 1 ]; then bad "$name: $lines lines on stderr: $(cat "$work/err")"; return; fi
  if ! grep -Eq -- "$re" "$work/err"; then bad "$name: stderr does not match /$re/: $(cat "$work/err")"; return; fi
  ok
}
start_daemon() {
  "$cv" --repo "$1" daemon >"$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q "daemon is ready" "$1.log" && return 0; sleep 0.1; done
  bad "daemon for $1 did not become ready: $(cat "$1.log")"
}

a=$work/a b=$work/b
expect_err "no repository" "no converge repository at .*converge init" --repo "$a" id
expect_err "public API refused" "not a loopback" --repo "$a" init --api /ip4/0.0.0.0/tcp/5001
expect_ok "init a" "peer ID: 12D3Koo" --repo "$a" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0
expect_ok "init b" "peer ID: 12D3Koo" --repo "$b" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0
expect_err "init twice" "already holds a repository.*--force" --repo "$a" init
[ "$(stat -c %a "$a/api_token")" = 600 ] && ok || bad "api_token mode is $(stat -c %a "$a/api_token")"
[ "$(stat -c %a "$a")" = 700 ] && ok || bad "repository mode is $(stat -c %a "$a")"
expect_ok "id offline" "configured; no daemon running" --repo "$a" id
expect_err "no daemon" "no converge daemon is running for .*converge daemon" --repo "$a" swarm peers
CONVERGE_PATH="$a" expect_err "no daemon via CONVERGE_PATH" "no converge daemon is running for $a" swarm peers

start_daemon "$a"
start_daemon "$b"
expect_err "second daemon" "already running" --repo "$a" daemon
id_b=$(awk '/peer ID/ {print $3; exit}' "$b.log")
addr_b="$(awk '/swarm listening/ {print $4; exit}' "$b.log")/p2p/$id_b"
expect_ok "id online" "^12D3Koo.*" --repo "$a" id
expect_ok "id json" '"online": true' --repo "$a" id --json
expect_ok "connect" "connected to $id_b" --repo "$a" swarm connect "$addr_b"
expect_ok "peers a" "/p2p/$id_b" --repo "$a" swarm peers
expect_ok "peers b json" '"direction": "inbound"' --repo "$b" swarm peers --json
expect_ok "ping" "3 pings, average" --repo "$a" ping "$addr_b"
expect_ok "ping by peer id" "1 pings, average" --repo "$a" ping "$id_b" -n 1
expect_err "bad multiaddr" "MULTIADDR" --repo "$a" swarm connect /ip4/nope
expect_ok "disconnect" "disconnected $id_b" --repo "$a" swarm disconnect "$id_b"
expect_err "connect to nobody" "dial|connect|refused" --repo "$a" swarm connect /ip4/127.0.0.1/tcp/1/p2p/$id_b

# A wrong token is refused, and the daemon keeps serving.
cp "$a/api_token" "$work/token"
printf '%064d\n' 0 >"$a/api_token"; chmod 600 "$a/api_token"
expect_err "wrong token" "unauthorized|token" --repo "$a" swarm peers
cp "$work/token" "$a/api_token"; chmod 600 "$a/api_token"
expect_ok "right token again" "" --repo "$a" swarm peers
chmod 644 "$a/api_token"
expect_err "token readable by others" "chmod 600" --repo "$a" swarm peers
chmod 600 "$a/api_token"

expect_ok "shutdown a" "daemon stopping" --repo "$a" shutdown
expect_ok "shutdown b" "daemon stopping" --repo "$b" shutdown
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
pids=()
[ ! -e "$a/api" ] && ok || bad "the api file outlived the daemon"
expect_err "gone after shutdown" "no converge daemon is running" --repo "$a" swarm peers

echo "cli-node: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
