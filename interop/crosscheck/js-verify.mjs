// Reads cases made by converge (build/.../cpp-vectors.json, written by the
// crosscheck_emit program) and checks each one with the js reference libraries.
// Prints one line per failure and "js-verify: N passed, M failed"; exits 1 on any failure.
// Usage: node js-verify.mjs FILE
import { readFileSync } from 'node:fs'
import { privateKeyFromProtobuf, publicKeyFromProtobuf, publicKeyToProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { bases } from 'multiformats/basics'
import { multiaddr } from '@multiformats/multiaddr'
import { hex, unhex, peerIdOf, derSigToRaw, ecPointOf } from './cases.mjs'

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'))
let passed = 0
let failed = 0
function check (what, ok, detail) {
  if (ok) { passed++; return }
  failed++
  console.log(`FAIL ${what}: ${detail}`)
}

for (const k of input.keys) {
  const tag = `key ${k.type} ${k.id}`
  try {
    if (k.type === 'ECDSA') {
      // js cannot read spec-form (PKIX) ECDSA public keys and has no ECDSA peer
      // IDs (see cases.mjs): check the private key, the point and the signature.
      const priv = privateKeyFromProtobuf(unhex(k.private_key))
      check(tag + ' private key re-encodes', hex(privateKeyToProtobuf(priv)) === k.private_key, 'js re-encodes the private key differently')
      check(tag + ' point', ecPointOf(hex(publicKeyToProtobuf(priv.publicKey))) === ecPointOf(k.public_key), 'public points differ')
      const msg = unhex(k.message)
      const raw = derSigToRaw(unhex(k.signature))
      check(tag + ' verify', await priv.publicKey.verify(msg, raw) === true, 'js rejects the C++ signature')
      msg[0] ^= 1
      check(tag + ' tamper', await priv.publicKey.verify(msg, raw) === false, 'js accepts a signature over a changed message')
      continue
    }
    const priv = privateKeyFromProtobuf(unhex(k.private_key))
    const pub = publicKeyFromProtobuf(unhex(k.public_key))
    check(tag + ' public key', hex(publicKeyToProtobuf(priv.publicKey)) === k.public_key, 'public key of the private key differs')
    check(tag + ' private key re-encodes', hex(privateKeyToProtobuf(priv)) === k.private_key, 'js re-encodes the private key differently')
    const id = await peerIdOf(priv)
    check(tag + ' id', id.toString() === k.id, `js says ${id.toString()}`)
    check(tag + ' cid', id.toCID().toString() === k.cid, `js says ${id.toCID().toString()}`)
    check(tag + ' cid base36', id.toCID().toString(bases.base36) === k.cid_base36, `js says ${id.toCID().toString(bases.base36)}`)
    if (k.type !== 'ECDSA') {
      check(tag + ' parse id', peerIdFromString(k.id).equals(id), 'peerIdFromString(base58) differs')
      check(tag + ' parse cid', peerIdFromString(k.cid).equals(id), 'peerIdFromString(cid) differs')
    }
    const msg = unhex(k.message)
    check(tag + ' verify', await pub.verify(msg, unhex(k.signature)) === true, 'js rejects the C++ signature')
    const tampered = unhex(k.message); tampered[0] ^= 1
    check(tag + ' tamper', await pub.verify(tampered, unhex(k.signature)) === false, 'js accepts a signature over a changed message')
    if (k.type === 'Ed25519') check(tag + ' deterministic sign', hex(await priv.sign(msg)) === k.signature, 'js signature differs')
  } catch (e) {
    check(tag, false, e.message)
  }
}

for (const c of input.cids) {
  try {
    const cid = CID.decode(unhex(c.bytes))
    check(`cid ${c.bytes} default`, cid.toString() === c.forms.default, `js says ${cid.toString()}`)
    for (const [b, text] of Object.entries(c.forms)) {
      if (b === 'default') continue
      check(`cid ${c.bytes} ${b}`, cid.toString(bases[b]) === text, `js says ${cid.toString(bases[b])}, C++ said ${text}`)
      const parsed = CID.parse(text, bases[b])
      check(`cid parse ${text}`, hex(parsed.bytes) === c.bytes, 'parses to other bytes')
    }
    check(`cid ${c.bytes} v1`, cid.toV1().toString() === c.v1, `js says ${cid.toV1().toString()}`)
  } catch (e) {
    check(`cid ${c.bytes}`, false, e.message)
  }
}

for (const a of input.multiaddrs) {
  try {
    const fromText = multiaddr(a.text)
    check(`ma ${a.text} bytes`, hex(fromText.bytes) === a.bytes, `js encodes ${hex(fromText.bytes)}`)
    const fromBytes = multiaddr(unhex(a.bytes))
    check(`ma ${a.bytes} text`, fromBytes.toString() === a.text, `js prints ${fromBytes.toString()}`)
  } catch (e) {
    check(`ma ${a.text}`, false, e.message)
  }
}

console.log(`js-verify: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 && passed > 0 ? 0 : 1)
