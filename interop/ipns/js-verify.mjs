// Validates converge-made IPNS records with the npm `ipns` package: the
// validator (signature, key, expiry, V1/V2 agreement), the unmarshalled
// fields, the selector over each name's records, and, for Ed25519, that js
// re-creates the same bytes. Usage: node js-verify.mjs cpp-records.json
import { readFileSync } from 'node:fs'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { createIPNSRecordWithExpiration, marshalIPNSRecord, unmarshalIPNSRecord } from 'ipns'
import { ipnsValidator } from 'ipns/validator'
import { ipnsSelector } from 'ipns/selector'

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const unhex = (s) => Uint8Array.from(Buffer.from(s, 'hex'))
let failures = 0
for (const c of cases) {
  const rk = unhex(c.routing_key)
  const rec = unhex(c.record)
  try {
    await ipnsValidator(rk, rec)
    const u = unmarshalIPNSRecord(rec)
    if (u.value !== c.value) throw new Error(`value ${u.value} != ${c.value}`)
    if (u.sequence !== BigInt(c.sequence)) throw new Error(`sequence ${u.sequence} != ${c.sequence}`)
    if (u.ttl !== BigInt(c.ttl)) throw new Error(`ttl ${u.ttl} != ${c.ttl}`)
    if (u.validity !== c.validity) throw new Error(`validity ${u.validity} != ${c.validity}`)
    if (c.key_type === 'Ed25519') {
      const key = privateKeyFromProtobuf(unhex(c.private_key))
      const again = await createIPNSRecordWithExpiration(key, c.value, BigInt(c.sequence), c.validity,
        c.v1 ? { v1Compatible: true, ttlNs: BigInt(c.ttl) } : { v1Compatible: false, ttlNs: BigInt(c.ttl) })
      if (Buffer.compare(Buffer.from(marshalIPNSRecord(again)), Buffer.from(rec)) !== 0) throw new Error('js re-creates different bytes')
    }
    if (c.invalid) throw new Error('a record converge marks invalid was accepted')
  } catch (e) {
    if (!c.invalid) {
      failures++
      console.error(`case ${c.label}: ${e.message}`)
    }
  }
}
// Selection: each group's records, the expected best index.
for (const g of cases.filter(c => c.select_group != null).reduce((m, c) => m.set(c.select_group, [...(m.get(c.select_group) ?? []), c]), new Map()).values()) {
  const best = ipnsSelector(unhex(g[0].routing_key), g.map(c => unhex(c.record)))
  const want = g.findIndex(c => c.select_best)
  if (best !== want) {
    failures++
    console.error(`selector picked ${best}, converge picked ${want} in group ${g[0].select_group}`)
  }
}
console.log(`${cases.length} records checked, ${failures} failures`)
process.exit(failures === 0 ? 0 : 1)
