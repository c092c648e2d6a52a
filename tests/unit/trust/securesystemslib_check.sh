#!/usr/bin/env bash
# Existing TUF tooling reads what converge writes: securesystemslib (Debian's
# python3-securesystemslib, the library python-tuf signs and verifies with)
# recomputes every key ID of a converge root and verifies each signature that
# converge made with Ed25519, ECDSA P-256 and RSA-PSS keys, over the canonical
# JSON securesystemslib itself encodes. A signature over other bytes, or a
# key ID computed another way, fails the check.
set -euo pipefail
CONVERGE=${1:?usage: securesystemslib_check.sh path/to/converge}
PY=/usr/bin/python3  # Debian's python, where python3-securesystemslib lives
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

"$CONVERGE" release keygen -o ed.json >/dev/null
"$CONVERGE" release keygen --scheme ecdsa-sha2-nistp256 -o ec.json >/dev/null
"$CONVERGE" release keygen --scheme rsassa-pss-sha256 -o rsa.json >/dev/null
KEYS=(--key ed.json --key ec.json --key rsa.json)
"$CONVERGE" release root init "${KEYS[@]}" --threshold 3 -o root.json >/dev/null
"$CONVERGE" release root sign root.json "${KEYS[@]}" >/dev/null
# A tampered copy: the check must refuse it (so it cannot pass by accident).
sed 's/"version": 1/"version": 2/' root.json > root-tampered.json

"$PY" - root.json root-tampered.json <<'PY'
import json, sys
from securesystemslib import formats, keys, hash as sslhash

def check(path):
    doc = json.load(open(path))
    signed = doc["signed"]
    data = formats.encode_canonical(signed).encode("utf-8")
    schemes, ok = set(), 0
    for keyid, key in signed["keys"].items():
        digest = sslhash.digest("sha256")
        digest.update(formats.encode_canonical(key).encode("utf-8"))
        if digest.hexdigest() != keyid:
            sys.exit(f"{path}: key ID {keyid} is not securesystemslib's")
    for sig in doc["signatures"]:
        key = dict(signed["keys"][sig["keyid"]], keyid=sig["keyid"])
        if keys.verify_signature(key, sig, data):
            ok += 1
            schemes.add(key["scheme"])
    return ok, schemes

ok, schemes = check(sys.argv[1])
want = {"ed25519", "ecdsa-sha2-nistp256", "rsassa-pss-sha256"}
if ok != 3 or schemes != want:
    sys.exit(f"securesystemslib verified {ok} of 3 signatures, schemes {sorted(schemes)}")
bad, _ = check(sys.argv[2])
if bad != 0:
    sys.exit(f"securesystemslib verified {bad} signatures of a tampered root")
print("securesystemslib: 3 of 3 converge signatures verify (ed25519, ecdsa-sha2-nistp256, rsassa-pss-sha256); tampered root 0 of 3")
PY
