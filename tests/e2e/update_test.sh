#!/usr/bin/env bash
# The update network end to end, with real processes on 127.0.0.1: one
# publisher daemon and two consumer daemons (linux/x86_64 and android/arm64,
# both with the command hook installer). The publisher publishes 1.0.0, then
# 2.0.0 with deltas; each consumer must hear the release, verify it, fetch
# its own platform's artifact (the delta for 2.0.0), check it and hand
# exactly the published bytes to its hook. A publisher killed with SIGKILL
# mid-publish publishes 2.1.0 once when run again. A release signed by keys
# the root does not trust is then published from another workspace: nobody
# installs it.
# Prints "e2e-update: N passed, M failed"; exit 1 on any failure.
set -u
cv=$(realpath "${1:?path to converge}")
. "$(dirname "$0")/lib.sh"

cd "$work" || exit 1
make_root
start_publisher pub || exit 1
pub=$work/pub
pub_addr=$(swarm_addr "$pub")
start_consumer linux linux x86_64 "$(hook_installer linux)" "$pub_addr" || exit 1
start_consumer android android arm64 "$(hook_installer android)" "$pub_addr" || exit 1
# Both consumers see the publisher on the release topic before anything is published.
for r in "$work/linux" "$work/android"; do wait_peers "$r" || bad "$(basename "$r") has no peer on the topic"; done

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

# A publisher killed in the middle of publishing 2.1.0 (SIGKILL while it
# builds the release with a 20 MB package): the same command again publishes 2.1.0
# once, as sequence 3, and every consumer installs it. (No deltas: diffing 20 MB
# would only slow the test down.)
head -c 20000000 /dev/urandom >linux-21.bin
cp android-2.bin android-21.bin && printf '2.1.0' >>android-21.bin
publish21=(--repo "$pub" release publish --workspace "$work/ws" --semver 2.1.0 --key k1.json --key k2.json --json
  --delta-bases 0
  --artifact linux/x86_64="$work/linux-21.bin" --artifact android/arm64="$work/android-21.bin")
(exec "$cv" "${publish21[@]}" >/dev/null 2>&1) &
killed=$!  # the converge process itself (exec), so SIGKILL reaches it
# Killed once it has begun building the release (its staging directory exists).
for _ in $(seq 3000); do compgen -G "$work/ws/releases/.staging-*" >/dev/null && break; sleep 0.01; done
kill -9 "$killed" 2>/dev/null
wait "$killed" 2>/dev/null
check "the publisher was killed, not finished" test ! -d "$work/ws/releases/00000000000000000003"
if "$cv" "${publish21[@]}" >"$work/publish-21.json" 2>"$work/err"; then ok; else bad "publish 2.1.0 again: $(cat "$work/err")"; fi
check "2.1.0 is sequence 3" test "$(python3 -c "import json; print(json.load(open('$work/publish-21.json'))['sequence'])")" = 3
check "one release directory per sequence, no staging left" test "$(ls "$work/ws/releases" | tr '\n' ' ')" = \
  "00000000000000000001 00000000000000000002 00000000000000000003 "
for c in linux android; do
  wait_installed "$work/$c" 2.1.0 || continue
  check "$c: 2.1.0 bytes" cmp -s "$work/installed-$c/2.1.0" "$work/$c-21.bin"
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
  [ "$(status_field "$work/$c" "s['installed']['semver']")" = 2.1.0 ] && ok || bad "$c: left 2.1.0 after a forged release"
  [ ! -e "$work/installed-$c/3.0.0" ] && ok || bad "$c: the hook was handed the forged release"
done

echo "e2e-update: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
