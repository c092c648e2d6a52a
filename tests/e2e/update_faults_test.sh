#!/usr/bin/env bash
# The update network under faults, real daemons on 127.0.0.1: one publisher,
#   "linux"  a consumer with the Linux A/B directory installer whose health
#            check fails for 2.0.0: it is rolled back to 1.0.0's slot and
#            2.0.0 is never tried again;
#   "hook"   a consumer with the command hook that gets 2.0.0, then is offered
#            1.0.0's bundle again by gossip and as the DHT value (a rollback
#            attempt) and keeps 2.0.0;
#   "killed" a consumer killed with SIGKILL in the middle of downloading a
#            large 3.0.0: after a restart it resumes, installs the published
#            bytes and fetches less than the whole package again;
# and a revoked release that nobody installs.
# Prints "e2e-update-faults: N passed, M failed"; exit 1 on any failure.
set -u
cv=$(realpath "${1:?path to converge}")
. "$(dirname "$0")/lib.sh"

cd "$work" || exit 1
make_root
start_publisher pub || exit 1
pub=$work/pub
pub_addr=$(swarm_addr "$pub")
health="{\"type\": \"linux-dir\", \"dir\": \"$work/app\", \"unpack\": \"none\",
  \"health_check\": [\"/bin/sh\", \"-c\", \"test \\\"\$CONVERGE_VERSION\\\" != 2.0.0\"]}"
start_consumer linux linux x86_64 "$health" "$pub_addr" || exit 1
start_consumer hook linux x86_64 "$(hook_installer hook)" "$pub_addr" || exit 1
for r in "$work/linux" "$work/hook"; do wait_peers "$r" || bad "$(basename "$r") has no peer on the topic"; done
publish() {  # publish SEMVER FILE [ARGS...]
  local v=$1 f=$2; shift 2
  run "publish $v" --repo "$pub" release publish --workspace "$work/ws" --semver "$v" \
    --artifact linux/x86_64="$f" --key k1.json --key k2.json --json "$@"
}
run "init-channel" release init-channel --workspace "$work/ws" --channel stable --root root.json

# 1.0.0 installs everywhere.
head -c 300000 /dev/urandom >app-1.bin
publish 1.0.0 "$work/app-1.bin"
wait_installed "$work/linux" 1.0.0
wait_installed "$work/hook" 1.0.0
check "linux: slot holds 1.0.0" cmp -s "$work/app/current/app-1.bin" app-1.bin

# 2.0.0 fails its health check on "linux": rolled back, marked bad, not retried.
{ head -c 100000 app-1.bin; printf '2.0.0'; tail -c +100001 app-1.bin; } >app-2.bin
publish 2.0.0 "$work/app-2.bin"
wait_installed "$work/hook" 2.0.0
hash2=$(python3 -c "import json; print(json.load(open('$work/out'))['release_hash'])")
history_count() {  # history_count REPO KIND HASH: rows in the agent's history (its SQLite DB, read beside the daemon)
  python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$1/datastore/agent/agent.db?mode=ro', uri=True);
print(c.execute('select count(*) from history where kind=? and release_hash=?', ('$2','$3')).fetchone()[0])"
}
for _ in $(seq 300); do [ "$(history_count "$work/linux" bad "$hash2")" = 1 ] && break; sleep 0.2; done
check "linux: 2.0.0 marked bad after its health check" test "$(history_count "$work/linux" bad "$hash2")" = 1
check "linux: still runs 1.0.0" test "$(status_field "$work/linux" "s['installed']['semver']")" = 1.0.0
check "linux: current slot is 1.0.0 again" cmp -s "$work/app/current/app-1.bin" app-1.bin
check "linux: the installer marked 2.0.0 bad" grep -q "$hash2" "$work/app/state.json"
sleep 6  # past a retry and a poll of the DHT key, which still holds 2.0.0
check "linux: 2.0.0 was installed once, never again" test "$(history_count "$work/linux" installing "$hash2")" = 1

# A rollback attempt: 1.0.0's bundle again, by gossip and as the DHT value.
old_bundle=$(ls -d "$work"/ws/releases/0*1/bundle.bin | head -1)
"$cv" --repo "$pub" pubsub pub unimaker/mobile/version "$(cat "$old_bundle")" >/dev/null 2>&1
"$cv" --repo "$pub" dht put /unimaker/version/stable "$(cat "$old_bundle")" >/dev/null 2>&1
"$cv" --repo "$work/hook" update check >/dev/null 2>&1
sleep 2
check "hook: keeps 2.0.0 after a rollback attempt" test "$(status_field "$work/hook" "s['installed']['semver']")" = 2.0.0
check "hook: the hook never got 1.0.0 twice" test "$(ls "$work/installed-hook" | grep -c 1.0.0)" = 1

# A consumer killed with SIGKILL mid-download resumes and fetches only what it lacks.
start_consumer killed linux x86_64 "$(hook_installer killed)" "$pub_addr" || exit 1
killed_pid=${pids[-1]}
wait_installed "$work/killed" 2.0.0
head -c 60000000 /dev/urandom >app-3.bin
publish 3.0.0 "$work/app-3.bin" --delta-bases 0 &
publisher_job=$!
got=0
for _ in $(seq 600); do
  got=$(status_field "$work/killed" "(s.get('progress') or {}).get('done',0) if s.get('phase')=='downloading' else 0")
  [ "${got:-0}" -gt 2000000 ] && break
  sleep 0.05
done
check "killed: was downloading 3.0.0 when killed (done=$got)" test "${got:-0}" -gt 0
kill -9 "$killed_pid"
wait "$killed_pid" 2>/dev/null
wait "$publisher_job"
rm -f "$work/killed/api"
start_daemon "$work/killed"
wait_installed "$work/killed" 3.0.0
check "killed: installed the published 3.0.0 bytes" cmp -s "$work/installed-killed/3.0.0" app-3.bin
again=$(status_field "$work/killed" "s['installed']['bytes_fetched']")
check "killed: fetched $again bytes after the restart, less than the whole 60000000" test "${again:-60000000}" -lt 60000000

# A revoked release: 4.0.0's bundle carries a revocation list (signed by the
# root's revocation role) that names 4.0.0; nobody installs it.
wait_installed "$work/hook" 3.0.0
run "revoke 4.0.0" release revoke --list-version 1 --channel stable --revoke-version 4.0.0 \
  --expires 2099-01-01T00:00:00Z -o "$work/rev.json"
run "sign revocation" release sign "$work/rev.json" --key k1.json --key k2.json
head -c 1000 /dev/urandom >app-4.bin
publish 4.0.0 "$work/app-4.bin" --delta-bases 0 --revocation "$work/rev.json"
"$cv" --repo "$work/hook" update check >/dev/null 2>&1
sleep 3
check "hook: keeps 3.0.0, 4.0.0 is revoked" test "$(status_field "$work/hook" "s['installed']['semver']")" = 3.0.0
check "hook: the hook never got 4.0.0" test ! -e "$work/installed-hook/4.0.0"
# The network itself refuses it: gossip validators reject it (so the agent never
# sees it) and the DHT will not store it; the publisher's report says why.
check "the DHT refused 4.0.0 as revoked" grep -q "dht/put.*version 4.0.0 is revoked" "$work/out"

echo "e2e-update-faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
