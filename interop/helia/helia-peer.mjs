// A Helia 7 node with @helia/bitswap 4 for converge's bitswap interop tests.
// LOOPBACK ONLY: an explicit libp2p config (127.0.0.1, TCP, Noise, Yamux,
// identify); no bootstrap, no mDNS, no UPnP/AutoNAT, no delegated routing, no
// HTTP gateways (createHeliaLight + withLibp2pLight + withBitswap instead of
// createHelia, whose defaults reach the public network).
//
//   node helia-peer.mjs serve SIZE
//       imports the deterministic content of SIZE bytes (byte i = ((i*7) ^ (i>>9)) & 0xff)
//       with ipfs-unixfs-importer defaults, prints {"addr", "cid"} and serves
//       until stdin closes.
//   node helia-peer.mjs fetch ADDR CID SIZE
//       dials ADDR, reads CID through Helia's bitswap and ipfs-unixfs-exporter,
//       compares it with the content; prints "PASS <bytes> <ms>" or "FAIL <why>".
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryBlockstore } from 'blockstore-core'
import { MemoryDatastore } from 'datastore-core'
import { importer } from 'ipfs-unixfs-importer'
import { exporter } from 'ipfs-unixfs-exporter'
import { CID } from 'multiformats/cid'

const content = (n) => {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = ((i * 7) ^ (i >> 9)) & 0xff
  return b
}

const [mode, a, b, c] = process.argv.slice(2)
const helia = withBitswap(withLibp2pLight(createHeliaLight({
  blockstore: new MemoryBlockstore(),
  datastore: new MemoryDatastore()
}), {
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  peerDiscovery: [],
  services: { identify: identify() },
  connectionManager: { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 },
  connectionMonitor: { enabled: false }
}))
await helia.start()

const stop = async (code) => {
  await helia.stop()
  process.exit(code)
}

if (mode === 'serve') {
  let root
  for await (const e of importer([{ content: content(Number(a)) }], helia.blockstore)) root = e.cid
  const addr = helia.libp2p.getMultiaddrs().find((m) => m.toString().startsWith('/ip4/127.0.0.1'))
  console.log(JSON.stringify({ addr: addr.toString(), cid: root.toString() }))
  process.stdin.resume()
  process.stdin.on('end', () => stop(0))
  process.stdin.on('close', () => stop(0))
} else if (mode === 'fetch') {
  try {
    const start = Date.now()
    await helia.libp2p.dial(multiaddr(a))
    const entry = await exporter(CID.parse(b), helia.blockstore, { signal: AbortSignal.timeout(60000) })
    const want = content(Number(c))
    let off = 0
    for await (const chunk of entry.content({ signal: AbortSignal.timeout(60000) })) {
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== want[off + i]) {
          console.log(`FAIL byte ${off + i} differs`)
          await stop(1)
        }
      }
      off += chunk.length
    }
    if (off !== want.length) {
      console.log(`FAIL got ${off} bytes, want ${want.length}`)
      await stop(1)
    }
    console.log(`PASS ${off} ${Date.now() - start}`)
    await stop(0)
  } catch (err) {
    console.log(`FAIL ${err.message}`)
    await stop(1)
  }
} else {
  console.log('usage: serve SIZE | fetch ADDR CID SIZE')
  process.exit(2)
}
