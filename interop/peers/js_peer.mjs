// A js-libp2p 3 peer for converge's runtime interop tests (tests/interop/js_host).
// LOOPBACK ONLY: listens on 127.0.0.1, no bootstrap, no mDNS, no UPnP/AutoNAT,
// no delegated routing; the only peers it talks to are the ones it is told.
//
//   node js_peer.mjs listen [noise|plaintext]
//       prints one JSON line {"id", "addrs"}, serves /echo/1.0.0, prints
//       {"event":"identify",...} when it identifies a peer; exits when stdin closes.
//   node js_peer.mjs dial <multiaddr with /p2p> [payload bytes]
//       dials, pings, echoes a payload over /echo/1.0.0 and checks it, waits
//       for identify of the remote; prints "PASS ..." and exits 0, or "FAIL ..." and exits 1.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'

const ECHO = '/echo/1.0.0'
const [mode, arg, extra] = process.argv.slice(2)
const security = (mode === 'listen' && arg === 'plaintext') ? plaintext() : noise()

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [security],
  streamMuxers: [yamux()],
  peerDiscovery: [],
  services: { identify: identify(), ping: ping() },
  connectionManager: { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 },
  connectionMonitor: { enabled: false }
})

await node.handle(ECHO, async (stream) => {
  try {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
})

const identified = new Map()
const waiters = []
node.addEventListener('peer:identify', (evt) => {
  const r = evt.detail
  const info = {
    event: 'identify',
    peer: r.peerId.toString(),
    protocols: r.protocols,
    listenAddrs: r.listenAddrs.map((a) => a.toString()),
    agentVersion: r.agentVersion,
    signedPeerRecord: r.signedPeerRecord != null
  }
  identified.set(info.peer, info)
  if (mode === 'listen') console.log(JSON.stringify(info))
  for (const w of waiters.splice(0)) w()
})

async function waitIdentify (peer) {
  while (!identified.has(peer)) await new Promise((resolve) => waiters.push(resolve))
  return identified.get(peer)
}

async function echo (target, size) {
  const payload = new Uint8Array(size)
  for (let i = 0; i < size; i++) payload[i] = (i * 7 + 3) & 0xff
  const stream = await node.dialProtocol(target, ECHO)
  const got = []
  let received = 0
  const reading = (async () => {
    for await (const chunk of stream) {
      const bytes = chunk.subarray()
      got.push(bytes)
      received += bytes.length
    }
  })()
  for (let off = 0; off < size; off += 64 * 1024) {
    if (!stream.send(payload.subarray(off, Math.min(size, off + 64 * 1024)))) await stream.onDrain()
  }
  await stream.close()
  await reading
  if (received !== size) throw new Error(`echo returned ${received} of ${size} bytes`)
  let off = 0
  for (const part of got) {
    for (let i = 0; i < part.length; i++) {
      if (part[i] !== payload[off + i]) throw new Error(`echo differs at byte ${off + i}`)
    }
    off += part.length
  }
}

if (mode === 'listen') {
  console.log(JSON.stringify({ id: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }))
  process.stdin.resume()
  process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
} else if (mode === 'dial') {
  const timer = setTimeout(() => { console.log('FAIL timed out'); process.exit(1) }, 60000)
  try {
    const target = multiaddr(arg)
    const peer = target.getComponents().find((c) => c.name === 'p2p').value
    const conn = await node.dial(target)
    const rtt = await node.services.ping.ping(target)
    await echo(target, Number(extra ?? 1048576))
    const info = await waitIdentify(peer)
    for (const p of ['/ipfs/ping/1.0.0', '/ipfs/id/1.0.0', ECHO]) {
      if (!info.protocols.includes(p)) throw new Error(`identify of ${peer} lacks ${p}: ${info.protocols}`)
    }
    if (!info.signedPeerRecord) throw new Error('identify carried no signed peer record')
    console.log(`PASS ping ${rtt} ms, echo ok, identify ${JSON.stringify(info)} via ${conn.remoteAddr}`)
    clearTimeout(timer)
    await node.stop()
    process.exit(0)
  } catch (err) {
    console.log(`FAIL ${err?.stack ?? err}`)
    process.exit(1)
  }
} else {
  console.log('usage: js_peer.mjs listen [noise|plaintext] | dial <multiaddr> [bytes]')
  process.exit(2)
}
