#!/usr/bin/env bash
# Runs the converge CLI as a user would and checks what it prints and returns.
# Every failure must be exactly one line on stderr, naming the problem, with a
# non-zero exit and no crash (exit codes >= 128 are signals). Prints
# "cli: N passed, M failed".
set -u
cv=${1:?path to converge}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_ok NAME REGEX CMD...: exit 0 and stdout matches REGEX.
expect_ok() {
  local name=$1 re=$2; shift 2
  local out rc
  out=$("$cv" "$@" 2>"$work/err"); rc=$?
  if [ $rc -ne 0 ]; then bad "$name: exit $rc: $(cat "$work/err")"; return; fi
  if ! grep -Eq -- "$re" <<<"$out"; then bad "$name: output does not match /$re/: $out"; return; fi
  ok
}
# expect_err NAME REGEX CMD...: non-zero exit below 128, one stderr line matching REGEX, nothing on stdout.
expect_err() {
  local name=$1 re=$2; shift 2
  local out rc lines
  out=$("$cv" "$@" 2>"$work/err"); rc=$?
  lines=$(wc -l <"$work/err")
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then bad "$name: exit $rc (want a failure, not a crash)"; return; fi
  if [ "$lines" -ne 1 ]; then bad "$name: $lines lines on stderr: $(cat "$work/err")"; return; fi
  if ! grep -Eq -- "$re" "$work/err"; then bad "$name: stderr does not match /$re/: $(cat "$work/err")"; return; fi
  if [ -n "$out" ]; then bad "$name: unexpected stdout: $out"; return; fi
  ok
}

expect_ok version '^converge [0-9]+\.[0-9]+\.[0-9]+$' version

# Keys: every type, human and JSON output, mode 0600, refusal to overwrite.
for t in ed25519 secp256k1 ecdsa rsa; do
  expect_ok "key gen $t" "$t key, peer ID" key gen --type "$t" -o "$work/$t.key"
  [ "$(stat -c %a "$work/$t.key")" = 600 ] && ok || bad "key gen $t: mode $(stat -c %a "$work/$t.key")"
  expect_ok "key inspect $t" "^type +$t" key inspect "$work/$t.key"
done
json=$("$cv" key inspect --json "$work/ed25519.key")
id=$(node -e 'const j=JSON.parse(process.argv[1]); if(j.type!=="ed25519"||!j.id.startsWith("12D3KooW")||!j.cid.startsWith("bafz")) process.exit(1); console.log(j.id)' "$json") && ok || bad "key inspect --json: $json"
expect_ok "peerid parse base58" "cid base32 +bafz" peerid parse "$id"
expect_err "key gen refuses overwrite" "exists" key gen -o "$work/ed25519.key"
expect_err "key gen unknown type" "dsa" key gen --type dsa -o "$work/x.key"
expect_err "key inspect missing file" "nope.key" key inspect "$work/nope.key"
printf 'not a key' >"$work/garbage.key"
expect_err "key inspect garbage" "garbage.key" key inspect "$work/garbage.key"
printf 'secret\n' >"$work/pass"; printf 'wrong\n' >"$work/wrong"
expect_ok "key gen encrypted" "encrypted" key gen -o "$work/locked.key" --passphrase-file "$work/pass"
expect_ok "key inspect encrypted" "^peer id" key inspect "$work/locked.key" --passphrase-file "$work/pass"
expect_err "key inspect wrong passphrase" "wrong passphrase" key inspect "$work/locked.key" --passphrase-file "$work/wrong"

# CIDs and multiaddrs.
expect_ok "cid v0" "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku" cid inspect QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n
expect_ok "cid json" '"version": 0' cid inspect --json QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n
expect_err "cid bad char" "offset" cid inspect 'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk!'
expect_err "cid empty" "." cid inspect ''
expect_err "cid truncated v0" "." cid inspect QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1
expect_ok "multiaddr" "tcp \(6\) +4001" multiaddr inspect /ip4/127.0.0.1/tcp/4001
expect_err "multiaddr unknown protocol" "tcpx" multiaddr inspect /ip4/127.0.0.1/tcpx/1
expect_err "multiaddr bad port" "65535" multiaddr inspect /ip4/127.0.0.1/tcp/99999
expect_err "multiaddr bad ip" "." multiaddr inspect /ip4/300.1.1.1/tcp/1
# release publish refuses bad arguments before it touches a workspace or a daemon.
"$cv" release keygen -o "$work/k.json" >/dev/null
expect_err "publish: artifact without a platform" "OS/ARCH" release publish --workspace "$work/ws" --semver 1.0.0 \
  --artifact "$work/x.bin" --key "$work/k.json"
expect_err "publish: expiry too far ahead" "at most 100 years" release publish --workspace "$work/ws" --semver 1.0.0 \
  --artifact linux/x86_64="$work/x.bin" --key "$work/k.json" --expires 99999999999999999999d
expect_err "publish: no such workspace" "workspace" release publish --workspace "$work/none" --semver 1.0.0 \
  --artifact linux/x86_64="$work/x.bin" --key "$work/k.json" --no-announce
expect_err "unknown subcommand" "." frobnicate
expect_err "missing argument" "." cid inspect

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
