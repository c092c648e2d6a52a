#!/usr/bin/env bash
# Installs what converge needs on Debian 12 and is not there yet: Debian packages
# with apt-get (as root), then the npm packages of the interop peers with npm ci.
# Quiet and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-19 libclang-rt-19-dev lld-19 llvm-19
  libgtest-dev libgmock-dev libbenchmark-dev
  libsodium-dev libssl-dev libsecp256k1-dev
  libprotobuf-dev protobuf-compiler
  libboost1.81-dev libsqlite3-dev libzstd-dev libdivsufsort-dev zlib1g-dev
  libc-ares-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev
  liblzma-dev
  libarchive-dev
  nodejs npm iperf3
  dnsmasq-base
  python3-securesystemslib python3-cryptography python3-nacl
)
missing=()
for p in "${packages[@]}"; do
  # nodesource's nodejs bundles npm; accept a working npm from any package.
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages and not root; run as root or install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Interop peers (js-libp2p, multiformats, Helia) from the npm registry, pinned by the lockfile.
if [ -f interop/package-lock.json ]; then
  stamp=interop/node_modules/.converge-lock-sha256
  want=$(sha256sum interop/package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "install-deps: npm ci in interop/"
    (cd interop && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
fi
