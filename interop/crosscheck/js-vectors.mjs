// Writes cross-check cases made by the js reference libraries (@libp2p/crypto,
// @libp2p/peer-id, multiformats, @multiformats/multiaddr) as JSON on stdout.
// converge's C++ test (tests/interop/crosscheck_test.cpp) must read every case
// to the same bytes and strings. Usage: node js-vectors.mjs [count] [seed]
import { generateKeyPair, privateKeyToProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { bases } from 'multiformats/basics'
import { multiaddr } from '@multiformats/multiaddr'
import { makeRandom, randomMultiaddr, hex, peerIdOf, rawSigToDer, ecPointOf } from './cases.mjs'

const count = Number(process.argv[2] ?? 200)
const rand = makeRandom(Number(process.argv[3] ?? 1))

const keys = []
const keyPlan = [['Ed25519', 8], ['secp256k1', 8], ['ECDSA', 4], ['RSA', 2]]
for (const [type, n] of keyPlan) {
  for (let i = 0; i < n; i++) {
    const key = type === 'RSA' ? await generateKeyPair('RSA', 2048) : await generateKeyPair(type)
    const id = await peerIdOf(key)
    const message = rand.bytes(1 + rand.int(200))
    let signature = await key.sign(message)
    const extra = {}
    if (type === 'ECDSA') {
      // See cases.mjs: only the private key, the point and the signature maths are shared.
      signature = rawSigToDer(signature)
      extra.public_point = ecPointOf(hex(publicKeyToProtobuf(key.publicKey)))
    }
    keys.push({
      ...extra,
      type,
      private_key: hex(privateKeyToProtobuf(key)),
      public_key: hex(publicKeyToProtobuf(key.publicKey)),
      id: id.toString(),
      cid: id.toCID().toString(),
      cid_base36: id.toCID().toString(bases.base36),
      message: hex(message),
      signature: hex(signature)
    })
  }
}

const cids = []
const codecs = [0x55, 0x70, 0x71, 0x0129, 0x72]
for (let i = 0; i < count; i++) {
  const data = rand.bytes(rand.int(64))
  let digest
  switch (rand.int(4)) {
    case 0: digest = await sha256.digest(data); break
    case 1: digest = await sha512.digest(data); break
    case 2: digest = Digest.create(0x00, data.slice(0, 36)); break
    default: digest = Digest.create(0xb220, rand.bytes(32)); break // blake2b-256 digest, opaque here
  }
  const v0 = digest.code === 0x12 && rand.int(3) === 0
  const cid = v0 ? CID.createV0(digest) : CID.createV1(codecs[rand.int(codecs.length)], digest)
  const forms = { default: cid.toString() }
  if (!v0) {
    for (const b of ['base32', 'base36', 'base58btc', 'base64url', 'base16', 'base64']) forms[b] = cid.toString(bases[b])
  }
  cids.push({ bytes: hex(cid.bytes), version: cid.version, codec: cid.code, multihash: hex(cid.multihash.bytes), forms, v1: cid.toV1().toString() })
}

const addrs = []
for (let i = 0; i < count; i++) {
  const text = randomMultiaddr(rand)
  const ma = multiaddr(text)
  addrs.push({ text: ma.toString(), bytes: hex(ma.bytes) })
}

process.stdout.write(JSON.stringify({ generator: 'js', keys, cids, multiaddrs: addrs }, null, 1))
