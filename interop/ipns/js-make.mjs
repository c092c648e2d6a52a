// Makes IPNS records with the npm `ipns` package for converge to validate,
// and re-create byte for byte: keys from fixed seeds, fixed values, sequences,
// EOLs and TTLs. Usage: node js-make.mjs > js-records.json
import { generateKeyPair, generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { base36 } from 'multiformats/bases/base36'
import { createIPNSRecordWithExpiration, marshalIPNSRecord, multihashToIPNSRoutingKey } from 'ipns'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

const hex = (b) => Buffer.from(b).toString('hex')
const cases = []
for (let i = 0; i < 10; i++) {
  // Ed25519 from fixed seeds (deterministic signatures: converge must make the same bytes),
  // then one secp256k1 and one RSA key (embedded pubKey), validated only.
  const type = i < 8 ? 'Ed25519' : i === 8 ? 'secp256k1' : 'RSA'
  const key = type === 'Ed25519' ? await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(i + 1))
    : type === 'RSA' ? await generateKeyPair('RSA', 2048) : await generateKeyPair('secp256k1')
  const value = `/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`
  const seq = BigInt(i * 1000 + 1)
  const expiration = `2030-0${(i % 9) + 1}-15T12:34:56.${String(123456789 + i).padStart(9, '0')}Z`
  const ttlNs = BigInt(300_000_000_000 + i)
  const v1Compatible = i % 2 === 0
  const rec = await createIPNSRecordWithExpiration(key, value, seq, expiration,
    v1Compatible ? { v1Compatible: true, ttlNs } : { v1Compatible: false, ttlNs })
  const id = peerIdFromPrivateKey(key)
  cases.push({
    private_key: hex(privateKeyToProtobuf(key)),
    key_type: type,
    name: id.toCID().toString(base36),
    routing_key: hex(multihashToIPNSRoutingKey(id.toMultihash())),
    value, sequence: seq.toString(), validity: expiration, ttl: ttlNs.toString(), v1: v1Compatible,
    record: hex(marshalIPNSRecord(rec))
  })
}
process.stdout.write(JSON.stringify(cases, null, 1) + '\n')
