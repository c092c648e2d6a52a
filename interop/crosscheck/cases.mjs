// Shared helpers for the cross-check scripts: a seeded PRNG (so a failing case
// can be reproduced from its seed) and a generator of varied multiaddr texts.
import { base58btc } from 'multiformats/bases/base58'
import { sha256 } from 'multiformats/hashes/sha2'
import * as Digest from 'multiformats/hashes/digest'
import { CID } from 'multiformats/cid'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

export function hex (b) { return Buffer.from(b).toString('hex') }
export function unhex (s) { return new Uint8Array(Buffer.from(s, 'hex')) }

// mulberry32: tiny, seedable, good enough to vary test cases.
export function makeRandom (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n) => Math.floor(next() * n)
  const bytes = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = int(256); return b }
  return { next, int, bytes }
}

function ip6 (rand) {
  const groups = Array.from({ length: 8 }, () => (rand.int(3) === 0 ? 0 : rand.int(65536)).toString(16))
  return groups.join(':')
}

function peerId (rand) {
  // Ed25519-style identity multihash (36 bytes) or a sha2-256 multihash.
  if (rand.int(2) === 0) {
    const key = new Uint8Array([8, 1, 18, 32, ...rand.bytes(32)])
    return base58btc.encode(Digest.create(0x00, key).bytes).slice(1)
  }
  return base58btc.encode(Digest.create(0x12, rand.bytes(32)).bytes).slice(1)
}

export function randomMultiaddr (rand) {
  const parts = []
  const host = rand.int(6)
  if (host === 0 || host === 1) parts.push(`/ip4/${rand.int(256)}.${rand.int(256)}.${rand.int(256)}.${rand.int(256)}`)
  else if (host === 2) parts.push(`/ip6/${ip6(rand)}`)
  else if (host === 3) parts.push(`/${['dns', 'dns4', 'dns6', 'dnsaddr'][rand.int(4)]}/node-${rand.int(1000)}.example.test`)
  else if (host === 4) parts.push('/ip4/127.0.0.1')
  else parts.push('/ip6/::1')
  const transport = rand.int(6)
  if (transport === 0) parts.push(`/tcp/${rand.int(65536)}`)
  else if (transport === 1) parts.push(`/udp/${rand.int(65536)}/quic-v1`)
  else if (transport === 2) parts.push(`/tcp/${rand.int(65536)}/ws`)
  else if (transport === 3) parts.push(`/tcp/${rand.int(65536)}/tls/ws`)
  else if (transport === 4) parts.push(`/tcp/${rand.int(65536)}/wss`)
  else parts.push(`/udp/${rand.int(65536)}`)
  if (rand.int(2) === 0) parts.push(`/p2p/${peerId(rand)}`)
  if (rand.int(5) === 0) parts.push(`/p2p-circuit/p2p/${peerId(rand)}`)
  if (rand.int(20) === 0) return `/unix/tmp%2Fconverge-${rand.int(100)}.sock`
  return parts.join('')
}

// The peer ID of a private key, as { toString(), toCID() }. @libp2p/peer-id 6 has
// no ECDSA peer IDs, so for ECDSA the spec's rule is applied to js's own key
// protobuf: it is longer than 42 bytes, so the multihash is sha2-256.
export async function peerIdOf (key) {
  if (key.type !== 'ECDSA') return peerIdFromPrivateKey(key)
  const mh = await sha256.digest(publicKeyToProtobuf(key.publicKey))
  const cid = CID.createV1(0x72, mh)
  return { toString: () => base58btc.encode(mh.bytes).slice(1), toCID: () => cid }
}

// ECDSA in @libp2p/crypto differs from the peer-ids spec (and go-libp2p) in two
// ways: signatures are raw r||s (WebCrypto's IEEE P1363) instead of DER, and
// the public key Data is a non-standard DER structure instead of PKIX
// SubjectPublicKeyInfo. Private keys (SEC1 ECPrivateKey) agree. These helpers
// let the cross-check compare what both define: the point and the signature maths.
function derInt (b) {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  b = b.subarray(i)
  if (b[0] & 0x80) b = Uint8Array.from([0, ...b])
  return [0x02, b.length, ...b]
}
export function rawSigToDer (raw) {
  const half = raw.length / 2
  const body = [...derInt(raw.subarray(0, half)), ...derInt(raw.subarray(half))]
  return Uint8Array.from([0x30, body.length, ...body])
}
export function derSigToRaw (der, size = 32) {
  const out = new Uint8Array(size * 2)
  let p = 2
  for (let k = 0; k < 2; k++) {
    const len = der[p + 1]
    let v = der.subarray(p + 2, p + 2 + len)
    while (v.length > size && v[0] === 0) v = v.subarray(1)
    out.set(v, k * size + size - v.length)
    p += 2 + len
  }
  return out
}
// The uncompressed P-256 point (04 || x || y) ends either public key DER form.
export function ecPointOf (publicKeyProtobufHex) { return publicKeyProtobufHex.slice(-130) }
