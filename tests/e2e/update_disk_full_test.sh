#!/usr/bin/env bash
# A consumer whose disk fills during a download, real daemons on 127.0.0.1.
# The consumer's repository lives on a 24 MiB tmpfs; 2.0.0 is a 30 MB
# package. The download must fail with a clear error, 1.0.0 must stay
# installed, the daemon must keep answering; once the disk grows (remount)
# the agent's retry installs 2.0.0. Needs mount(8) rights (root): skips
# (exit 77) without them.
# Prints "e2e-update-disk-full: N passed, M failed"; exit 1 on any failure.
set -u
cv=$(realpath "${1:?path to converge}")
. "$(dirname "$0")/lib.sh"
disk=$work/disk
mkdir -p "$disk"
if ! mount -t tmpfs -o size=24m tmpfs "$disk" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here (needs root)"
  exit 77
fi
trap 'e2e_cleanup_disk' EXIT
e2e_cleanup_disk() {
  for r in "${repos[@]}"; do "$cv" --repo "$r" shutdown >/dev/null 2>&1; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || umount "$disk" 2>/dev/null
  e2e_cleanup
}

cd "$work" || exit 1
make_root
start_publisher pub || exit 1
pub_addr=$(swarm_addr "$work/pub")
# The consumer's repository is on the small disk ($work/disk/small); the hook
# keeps its copies in $work/installed-disk/small, off that disk.
start_consumer disk/small linux x86_64 "$(hook_installer disk/small)" "$pub_addr" || exit 1
small=$work/disk/small
run "init-channel" release init-channel --workspace "$work/ws" --channel stable --root root.json
publish() {  # publish SEMVER FILE
  run "publish $1" --repo "$work/pub" release publish --workspace "$work/ws" --semver "$1" \
    --artifact linux/x86_64="$2" --key k1.json --key k2.json --delta-bases 0 --json
}

head -c 300000 /dev/urandom >app-1.bin
publish 1.0.0 "$work/app-1.bin"
wait_installed "$small" 1.0.0

head -c 30000000 /dev/urandom >app-2.bin
publish 2.0.0 "$work/app-2.bin"
err=""
for _ in $(seq 450); do
  err=$(status_field "$small" "s.get('last_error') or ''")
  [ -n "$err" ] && break
  sleep 0.2
done
check "small: the download failed with a clear error ($err)" grep -Eqi "no space|disk is full|full" <<<"$err"
check "small: still runs 1.0.0" test "$(status_field "$small" "s['installed']['semver']")" = 1.0.0
check "small: the daemon keeps answering" "$cv" --repo "$small" id >/dev/null
check "small: the 1.0.0 package is intact" cmp -s "$work/installed-disk/small/1.0.0" app-1.bin

# More room: the agent's retry (backoff at most 5 s here) finishes 2.0.0.
mount -o remount,size=256m "$disk"
wait_installed "$small" 2.0.0
check "small: installed the published 2.0.0 bytes" cmp -s "$work/installed-disk/small/2.0.0" app-2.bin

echo "e2e-update-disk-full: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
