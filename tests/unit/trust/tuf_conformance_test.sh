#!/bin/bash
# CTest trust.tuf_conformance: runs theupdateframework/tuf-conformance against
# converge-tuf-client when a local checkout of the suite is present, and skips
# (exit 77) otherwise. The suite cannot be fetched in CI (no GitHub there); CI
# relies on the attack suite in release_attack_test.cpp. Set-up (docs/TRUST.md):
#   MIRROR=<bare mirrors> $TUF_CONFORMANCE_TOOLS/setup.sh   # checks out under $TUFCONF
# Environment: TUF_CONFORMANCE_TOOLS (default /work/shared/tools/tuf-conformance,
# holds run_conformance.sh and the cryptography shim), TUFCONF (default /tmp/tufconf).
set -u
client=${1:?usage: tuf_conformance_test.sh /path/to/converge-tuf-client}
tools=${TUF_CONFORMANCE_TOOLS:-/work/shared/tools/tuf-conformance}
tufconf=${TUFCONF:-$(dirname "$(mktemp -u)")/tufconf}
if [ ! -x "$tools/run_conformance.sh" ]; then
  echo "SKIP: no tuf-conformance runner at $tools (set TUF_CONFORMANCE_TOOLS)"; exit 77
fi
if [ ! -d "$tufconf/tuf-conformance/tuf_conformance" ] || [ ! -d "$tufconf/python-tuf-5.1.0" ]; then
  echo "SKIP: no tuf-conformance checkout under $tufconf (run MIRROR=... $tools/setup.sh first)"; exit 77
fi
if ! /usr/bin/python3 -c 'import pytest, cryptography, requests' 2>/dev/null || ! command -v faketime >/dev/null; then
  echo "SKIP: python3-pytest, python3-cryptography, python3-requests or faketime missing (setup.sh installs them)"; exit 77
fi
# The suite runs the client under faketime (LD_PRELOAD libfaketime) for its
# expiry tests. ASan's allocator reads CLOCK_MONOTONIC while it maps its first
# region, before libfaketime has resolved the real clock_gettime; libfaketime
# then recurses through dlsym and ASan reports a double free inside dlerror.
# With periodic release-to-OS off the allocator does not read the clock there.
# The option is ignored by builds without ASan.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_release_to_os_interval_ms=-1"
TUFCONF=$tufconf exec "$tools/run_conformance.sh" "$client" -q
