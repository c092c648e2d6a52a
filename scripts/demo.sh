#!/usr/bin/env bash
# `make demo`: a tour of what converge does today, on loopback and temp files only,
# ending with the update network's proof of concept (scripts/demo_network.sh).
set -euo pipefail
build=${1:-build/default}
cv="$(cd "$build" && pwd)/apps/converge/converge"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ converge %s\n' "$*"; "$cv" "$@"; }

step "version"
run version

if "$cv" key --help >/dev/null 2>&1; then
  step "keys and peer IDs: one of each type"
  for t in ed25519 secp256k1 ecdsa rsa; do
    run key gen --type "$t" -o "$work/$t.key"
    run key inspect "$work/$t.key"
  done
  step "the same Ed25519 key as JSON, and its peer ID parsed back from the CID form"
  run key inspect --json "$work/ed25519.key"
  cidform=$("$cv" key inspect --json "$work/ed25519.key" | sed -n 's/.*"cid": *"\([^"]*\)".*/\1/p')
  [ -n "$cidform" ] && run peerid parse "$cidform"
  step "a passphrase-protected key file (mode 0600)"
  printf 'correct horse battery staple\n' > "$work/pass"
  run key gen -o "$work/locked.key" --passphrase-file "$work/pass"
  ls -l "$work/locked.key" | awk '{print $1, $NF}'
  run key inspect "$work/locked.key" --passphrase-file "$work/pass"
  echo "wrong passphrase:"; printf 'nope\n' > "$work/bad"
  run key inspect "$work/locked.key" --passphrase-file "$work/bad" || true
fi

if "$cv" cid --help >/dev/null 2>&1; then
  step "CIDs: a CIDv0, its CIDv1, and a raw-leaf CID"
  run cid inspect QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n
  run cid inspect bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
  echo "a broken CID:"
  run cid inspect bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd! || true
  step "multiaddrs"
  run multiaddr inspect /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA
  run multiaddr inspect /ip6/::1/udp/4001/quic-v1
  echo "an unknown protocol:"
  run multiaddr inspect /ip4/127.0.0.1/tcpx/1 || true
fi

if "$cv" delta --help >/dev/null 2>&1; then
  step "binary deltas: make, inspect and apply a patch between two generated files"
  head -c 3000000 /dev/urandom > "$work/old.bin"
  { head -c 1000000 "$work/old.bin"; printf 'a small change'; tail -c +1000001 "$work/old.bin"; } > "$work/new.bin"
  run delta make "$work/old.bin" "$work/new.bin" -o "$work/p.patch"
  run delta info "$work/p.patch"
  run delta apply "$work/old.bin" "$work/p.patch" -o "$work/out.bin" --expect-sha256 "$(sha256sum "$work/new.bin" | cut -d' ' -f1)"
  cmp "$work/new.bin" "$work/out.bin" && echo "rebuilt file is identical ($(stat -c %s "$work/p.patch") byte patch for a $(stat -c %s "$work/new.bin") byte file)"
fi
if "$cv" release --help >/dev/null 2>&1; then
  step "signed releases: a 3-of-5 root, one release for two platforms, verified as a device would"
  (
    cd "$work"
    for i in 1 2 3 4 5; do "$cv" release keygen -o "k$i.json" >/dev/null; done
    keys=(--key k1.json --key k2.json --key k3.json --key k4.json --key k5.json)
    run release root init "${keys[@]}" --threshold 3 -o root.json
    run release root sign root.json --key k1.json --key k2.json --key k3.json
    printf 'android build 1.0.0' > app-android.apk
    printf 'linux build 1.0.0' > app-linux.tar
    cat > spec.json <<'JSON'
{"channel": "stable", "semver": "1.0.0", "sequence": 1, "expires": "2099-01-01T00:00:00Z",
 "rollout": [{"start": "2026-01-01T00:00:00Z", "percent": 100}], "metadata": {"notes": "demo"},
 "artifacts": [
   {"file": "app-android.apk", "os": "android", "arch": "arm64", "min_os": "10", "cid": "bafkreibvl5rjxjhd7ctaw5e5tvvlxfxxwvyhzldmrqyofgikeb3ywhimsi"},
   {"file": "app-linux.tar", "os": "linux", "arch": "x86_64", "min_os": "5.10", "cid": "bafkreibfy3adh6zgqebjn64yvxoutqqapcvjlk4447gptf7uvxxjx6b5ne"}]}
JSON
    run release create --spec spec.json -o targets.json
    cp targets.json targets-two.json
    run release sign targets.json --key k1.json --key k2.json --key k3.json
    run release bundle --targets targets.json --key k1.json --key k2.json --key k3.json --expires 2099-01-01T00:00:00Z -o bundle.json
    run release show bundle.json
    run release verify --root root.json --bundle bundle.json --state device --os linux --arch x86_64 --os-version 6.1
    echo "the same release signed by only 2 of the 5 keys:"
    "$cv" release sign targets-two.json --key k4.json --key k5.json >/dev/null
    "$cv" release bundle --targets targets-two.json --key k1.json --key k2.json --key k3.json --expires 2099-01-01T00:00:00Z -o bundle-two.json >/dev/null
    run release verify --root root.json --bundle bundle-two.json --state device2 || true
  )
fi
if "$cv" daemon --help >/dev/null 2>&1; then
  step "two nodes on 127.0.0.1: init, daemon, connect, ping, gossip, add and fetch a file"
  (
    cd "$work"
    a="$work/node-a"; b="$work/node-b"
    for r in "$a" "$b"; do
      "$cv" --repo "$r" init --swarm /ip4/127.0.0.1/tcp/0 --api /ip4/127.0.0.1/tcp/0 >/dev/null
    done
    "$cv" --repo "$a" daemon >"$work/a.log" 2>&1 & pa=$!
    "$cv" --repo "$b" daemon >"$work/b.log" 2>&1 & pb=$!
    trap '"$cv" --repo "$a" shutdown >/dev/null 2>&1; "$cv" --repo "$b" shutdown >/dev/null 2>&1; kill $pa $pb 2>/dev/null || true' EXIT
    for _ in $(seq 100); do grep -q "daemon is ready" "$work/a.log" && grep -q "daemon is ready" "$work/b.log" && break; sleep 0.1; done
    run --repo "$a" id
    addr_b="$(grep 'swarm listening' "$work/b.log" | head -1 | awk '{print $4}')/p2p/$(awk '/peer ID/ {print $3; exit}' "$work/b.log")"
    run --repo "$a" swarm connect "$addr_b"
    run --repo "$a" ping "$addr_b" -n 2
    run --repo "$b" swarm peers
    if "$cv" pubsub --help >/dev/null 2>&1; then
      timeout 10 "$cv" --repo "$b" pubsub sub unimaker/mobile/version >"$work/sub.out" 2>&1 & ps=$!
      for _ in $(seq 50); do "$cv" --repo "$b" pubsub ls 2>/dev/null | grep -q unimaker && break; sleep 0.1; done
      sleep 1  # let the subscription reach node A before publishing
      run --repo "$a" pubsub pub unimaker/mobile/version "release 1.0.0 is out"
      for _ in $(seq 50); do [ -s "$work/sub.out" ] && break; sleep 0.1; done
      kill $ps 2>/dev/null || true
      echo "node B heard: $(head -1 "$work/sub.out")"
    fi
    if "$cv" add --help >/dev/null 2>&1; then
      head -c 3000000 /dev/urandom > "$work/app-2.0.0.bin"
      cid=$("$cv" --repo "$a" add "$work/app-2.0.0.bin" | awk '{print $NF}' | tail -1)
      echo "node A added app-2.0.0.bin as $cid"
      run --repo "$b" get "$cid" -o "$work/fetched.bin"
      cmp "$work/app-2.0.0.bin" "$work/fetched.bin" && echo "node B fetched it over Bitswap: identical bytes"
    fi
    run --repo "$a" shutdown
    run --repo "$b" shutdown
    wait $pa $pb 2>/dev/null || true
    trap - EXIT
  )
fi
if "$cv" release publish --help >/dev/null 2>&1; then
  step "the update network: 2 publishers, 3 consumers online, 1 late joiner, releases 1.0.0 and 2.0.0"
  "$(dirname "$0")/demo_network.sh" "$cv"
fi
printf '\ndemo finished\n'
