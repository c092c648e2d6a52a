#!/usr/bin/env bash
# A whole release flow through the converge CLI: keygen 5 keys (three Ed25519,
# one ECDSA P-256, one RSA-PSS), root 3-of-5,
# a release with two platform artifacts signed by 3 keys, bundle, verify OK;
# the same release signed by 2 keys is refused naming the threshold rule.
# Then a revocation, a root rotation and a FROST-signed release.
set -euo pipefail
CONVERGE=${1:?usage: release_cli_test.sh path/to/converge}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
NOW=2026-06-01T00:00:00Z

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() {  # expect_fail <substring> <command...>
  local want=$1; shift
  if out=$("$@" 2>&1); then fail "expected failure ($want), got: $out"; fi
  [[ $out == *"$want"* ]] || fail "expected '$want' in: $out"
  [[ $(printf '%s\n' "$out" | wc -l) -eq 1 ]] || fail "expected one line, got: $out"
}

for i in 1 2 3 6 7; do "$CONVERGE" release keygen -o k$i.json >/dev/null; done
"$CONVERGE" release keygen --scheme ecdsa-sha2-nistp256 -o k4.json | grep -q "ecdsa-sha2-nistp256 key" || fail "ecdsa keygen"
"$CONVERGE" release keygen --scheme rsassa-pss-sha256 -o k5.json | grep -q "rsassa-pss-sha256 key" || fail "rsa keygen"
expect_fail "unknown signature scheme" "$CONVERGE" release keygen --scheme dsa -o k8.json
[[ $(stat -c %a k5.json) == 600 ]] || fail "rsa key file mode"
[[ $(stat -c %a k1.json) == 600 ]] || fail "key file mode"
K5=(--key k1.json --key k2.json --key k3.json --key k4.json --key k5.json)
"$CONVERGE" release root init "${K5[@]}" --threshold 3 -o root.json >/dev/null
"$CONVERGE" release root sign root.json --key k1.json --key k2.json --key k3.json >/dev/null

printf 'android build 1.0.0' > app-android.apk
printf 'linux build 1.0.0' > app-linux.tar
cat > spec1.json <<'JSON'
{"channel": "stable", "semver": "1.0.0", "sequence": 1, "expires": "2029-01-01T00:00:00Z",
 "rollout": [{"start": "2026-01-01T00:00:00Z", "percent": 100}], "metadata": {"notes": "first"},
 "artifacts": [
   {"file": "app-android.apk", "os": "android", "arch": "arm64", "min_os": "10", "cid": "bafkreihb7umjrpaa5y3vydrr4mvdjoniwagba43wjyenzbmslhwxndgkdu"},
   {"file": "app-linux.tar", "os": "linux", "arch": "x86_64", "min_os": "5.10", "cid": "bafkreidrkjyztl5ibm6fznqul7oiwaqknbmsbfb45tdmeitr5id75ncghi"}]}
JSON
"$CONVERGE" release create --spec spec1.json -o t1.json >/dev/null
cp t1.json t1-two.json
"$CONVERGE" release sign t1.json --key k1.json --key k2.json --key k3.json >/dev/null
"$CONVERGE" release sign t1-two.json --key k4.json --key k5.json >/dev/null
"$CONVERGE" release bundle --targets t1.json --key k1.json --key k2.json --key k3.json -o b1.json >/dev/null
"$CONVERGE" release bundle --targets t1-two.json --key k1.json --key k2.json --key k3.json -o b1-two.json >/dev/null
"$CONVERGE" release show b1.json | grep -q "release 1.0.0 channel stable sequence 1" || fail "show"

# Signed by 2 of 5: refused, naming the threshold rule; nothing is trusted.
expect_fail "signature threshold not met" \
  "$CONVERGE" release verify --root root.json --bundle b1-two.json --state dev --now $NOW
[[ ! -e dev/trusted_state.json ]] || fail "state written after a refused bundle"

out=$("$CONVERGE" release verify --root root.json --bundle b1.json --state dev --now $NOW)
[[ $out == "OK stable 1.0.0 sequence 1 (new)"* ]] || fail "verify: $out"
[[ $out == *"stable/android-arm64/app-android.apk"* ]] || fail "device artifact: $out"
linux=$("$CONVERGE" release verify --root root.json --bundle b1.json --state dev-linux --os linux --arch x86_64 \
  --os-version 6.1 --now $NOW)
[[ $linux == *"stable/linux-x86_64/app-linux.tar"* ]] || fail "linux artifact: $linux"
expect_fail "not for this device" \
  "$CONVERGE" release verify --root root.json --bundle b1.json --state dev-ios --os ios --now $NOW
# Freeze: the timestamp expired (default 2027-01-01).
expect_fail "metadata expired" \
  "$CONVERGE" release verify --root root.json --bundle b1.json --state dev-late --now 2027-02-01T00:00:00Z

# Release 2 chains to release 1; the 2-signature copy of release 1 is now a rollback.
printf 'android build 1.1.0' > app-android.apk
sed -e 's/"1.0.0"/"1.1.0"/; s/"sequence": 1/"sequence": 2/; s/bafkreihb7umjrpaa5y3vydrr4mvdjoniwagba43wjyenzbmslhwxndgkdu/bafkreifglvieyybh7pmc3oyn3u2ww226jl5o5elmoyiahy7wppqewrudf4/; s/bafkreidrkjyztl5ibm6fznqul7oiwaqknbmsbfb45tdmeitr5id75ncghi/bafkreifo7agoth47r3posfsteyzmyoeyina7qyneu6ivzmgprdfj33orxu/' spec1.json > spec2.json
"$CONVERGE" release create --spec spec2.json --previous t1.json -o t2.json >/dev/null
"$CONVERGE" release sign t2.json --key k3.json --key k4.json --key k5.json >/dev/null
"$CONVERGE" release bundle --targets t2.json --key k1.json --key k2.json --key k3.json -o b2.json >/dev/null
"$CONVERGE" release verify --root root.json --bundle b2.json --state dev --now $NOW | grep -q "1.1.0 sequence 2 (new)" \
  || fail "release 2"
expect_fail "rollback" "$CONVERGE" release verify --root root.json --bundle b1.json --state dev --now $NOW

# Revocation: release 2's version revoked, then a bundle for it is refused.
"$CONVERGE" release revoke --list-version 1 --revoke-version 1.1.0 -o rev.json >/dev/null
"$CONVERGE" release sign rev.json --key k1.json --key k2.json --key k3.json >/dev/null
"$CONVERGE" release bundle --targets t2.json --key k1.json --key k2.json --key k3.json --revocation rev.json \
  --version 3 -o b2-rev.json >/dev/null
expect_fail "release revoked" "$CONVERGE" release verify --root root.json --bundle b2-rev.json --state dev --now $NOW

# Root rotation to a FROST group for targets (2-of-3 by DKG), signed by old and new root keys.
"$CONVERGE" release frost dkg --min 2 --max 3 --out-dir group >/dev/null
"$CONVERGE" release root rotate --root root.json "${K5[@]}" --threshold 3 --targets-group group/public-key-package.json \
  -o root2.json >/dev/null
"$CONVERGE" release root sign root2.json --key k1.json --key k2.json --key k3.json >/dev/null
sed -e 's/"1.0.0"/"1.2.0"/; s/"sequence": 1/"sequence": 3/; s/bafkreihb7umjrpaa5y3vydrr4mvdjoniwagba43wjyenzbmslhwxndgkdu/bafkreievudgxtx2am63wzumnxtxhkml22ydeinbt4s6x4hwrgw75fnrx34/; s/bafkreidrkjyztl5ibm6fznqul7oiwaqknbmsbfb45tdmeitr5id75ncghi/bafkreie2ivhjqzpv77wcjw4z5rv4s3za2rlakiivcjz25bhh3eis5jus4e/' spec1.json > spec3.json
"$CONVERGE" release create --spec spec3.json --previous t2.json -o t3.json >/dev/null
"$CONVERGE" release frost sign t3.json --group group/public-key-package.json \
  --share group/key-package-1.json --share group/key-package-3.json >/dev/null
"$CONVERGE" release bundle --targets t3.json --key k1.json --key k2.json --key k3.json --root root2.json \
  --version 4 -o b3.json >/dev/null
"$CONVERGE" release verify --root root.json --bundle b3.json --state dev --now $NOW | grep -q "1.2.0 sequence 3 (new)" \
  || fail "FROST release after rotation"
# Ordinary keys no longer count for targets.
"$CONVERGE" release create --spec spec3.json --previous t2.json -o t3-keys.json >/dev/null
"$CONVERGE" release sign t3-keys.json --key k1.json --key k2.json --key k3.json >/dev/null
"$CONVERGE" release bundle --targets t3-keys.json --key k1.json --key k2.json --key k3.json --root root2.json \
  --version 5 -o b3-keys.json >/dev/null
expect_fail "signature threshold not met" \
  "$CONVERGE" release verify --root root.json --bundle b3-keys.json --state dev-fresh --now $NOW

# A FROST dealer group signs too.
"$CONVERGE" release frost dealer --min 3 --max 5 --out-dir dealt >/dev/null
[[ -f dealt/key-package-5.json ]] || fail "dealer output"
echo "release CLI flow: OK"
