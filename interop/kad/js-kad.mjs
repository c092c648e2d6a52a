// A js-libp2p 3 node with @libp2p/kad-dht (server mode, the npm ipns
// validator and selector) for converge's DHT interop test. LOOPBACK ONLY: no
// bootstrap, no discovery; it talks to the one converge peer it is given.
//
//   node js-kad.mjs <converge multiaddr with /p2p> <routing key hex of converge's IPNS record>
// Prints JSON lines: {"event":"ready","id","addrs"}, then after dialling:
//   {"event":"got","value"}        js GET_VALUE of converge's record (validated by js)
//   {"event":"put","key"}          js PUT_VALUE of its own IPNS record (key hex)
//   {"event":"provided","cid"}     js ADD_PROVIDER of a CID
// or {"event":"fail","error"}; then serves (FIND_NODE, GET_VALUE,
// GET_PROVIDERS from converge) until stdin closes.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createIPNSRecord, marshalIPNSRecord, multihashToIPNSRoutingKey } from 'ipns'
import { ipnsValidator } from 'ipns/validator'
import { ipnsSelector } from 'ipns/selector'
import { CID } from 'multiformats/cid'

const [target, cppKeyHex] = process.argv.slice(2)
const hex = (b) => Buffer.from(b).toString('hex')
const say = (o) => console.log(JSON.stringify(o))

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  peerDiscovery: [],
  services: {
    identify: identify(),
    ping: ping(),
    dht: kadDHT({
      protocol: '/ipfs/kad/1.0.0',
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      validators: { ipns: ipnsValidator },
      selectors: { ipns: ipnsSelector },
      allowQueryWithZeroPeers: true,
      initialQuerySelfInterval: 0
    })
  },
  connectionMonitor: { enabled: false }
})
say({ event: 'ready', id: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })

const dht = node.services.dht
try {
  await node.dial(multiaddr(target))
  // Identify tells the DHT that converge speaks /ipfs/kad/1.0.0.
  for (let i = 0; i < 100 && dht.routingTable.size === 0; i++) await new Promise(r => setTimeout(r, 100))
  if (dht.routingTable.size === 0) throw new Error('converge never entered the routing table')

  let got = null
  for await (const ev of dht.get(Uint8Array.from(Buffer.from(cppKeyHex, 'hex')))) {
    if (ev.name === 'VALUE') got = ev.value
  }
  if (got == null) throw new Error('no value for converge\'s key')
  await ipnsValidator(Uint8Array.from(Buffer.from(cppKeyHex, 'hex')), got)
  say({ event: 'got', value: hex(got) })

  const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(42))
  const rec = await createIPNSRecord(key, '/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', 7n, 3600_000, { v1Compatible: true })
  const rk = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
  for await (const ev of dht.put(rk, marshalIPNSRecord(rec))) { void ev }
  say({ event: 'put', key: hex(rk), record: hex(marshalIPNSRecord(rec)) })

  const cid = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
  for await (const ev of dht.provide(cid)) { void ev }
  say({ event: 'provided', cid: cid.toString(), multihash: hex(cid.multihash.bytes) })
} catch (err) {
  say({ event: 'fail', error: String(err?.stack ?? err) })
}

process.stdin.resume()
process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
