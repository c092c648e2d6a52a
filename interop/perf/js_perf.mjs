// The js-libp2p side of bench/p2p/host_bench.sh, speaking /perf/1.0.0 as the
// libp2p perf spec defines it (the npm registry here has no @libp2p/perf):
// the client sends the byte count it wants back as a big-endian u64, uploads,
// closes its write side; the server drains the upload, then sends the bytes.
// LOOPBACK ONLY: listens on 127.0.0.1, no bootstrap, no discovery.
//
//   node js_perf.mjs serve [noise|plaintext]   one JSON line {"id","addrs"}; exits when stdin closes
//   node js_perf.mjs run <multiaddr> <MiB>      {"upload_mibs","download_mibs"}
//   node js_perf.mjs connect <multiaddr> <n>    {"median_ms","p99_ms"}: new connection + 1-byte echo, n times
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'

const PERF = '/perf/1.0.0'
const ECHO = '/echo/1.0.0'
const CHUNK = 64 * 1024
const [mode, arg, extra] = process.argv.slice(2)
const security = (mode === 'serve' && arg === 'plaintext') ? plaintext() : noise()

const node = await createLibp2p({
  addresses: { listen: mode === 'serve' ? ['/ip4/127.0.0.1/tcp/0'] : [] },
  transports: [tcp()],
  connectionEncrypters: [security],
  streamMuxers: [yamux()],
  peerDiscovery: [],
  services: {},
  connectionManager: { inboundConnectionThreshold: 100000, maxIncomingPendingConnections: 1000 },
  connectionMonitor: { enabled: false }
})

const block = new Uint8Array(CHUNK)

async function sendBytes (stream, n) {
  let left = n
  while (left > 0) {
    const part = left >= CHUNK ? block : block.subarray(0, left)
    left -= part.length
    if (!stream.send(part)) await stream.onDrain()
  }
}

await node.handle(PERF, async (stream) => {
  try {
    let header = new Uint8Array(0)
    let want = null
    for await (const chunk of stream) {
      if (want !== null) continue // upload bytes: counted by nobody, drained
      const bytes = chunk.subarray()
      const merged = new Uint8Array(header.length + bytes.length)
      merged.set(header); merged.set(bytes, header.length)
      header = merged
      if (header.length >= 8) want = new DataView(header.buffer, header.byteOffset, 8).getBigUint64(0)
    }
    await sendBytes(stream, Number(want ?? 0n))
    await stream.close()
  } catch (err) { stream.abort(err) }
}, { maxInboundStreams: 1024 })

await node.handle(ECHO, async (stream) => {
  try {
    for await (const chunk of stream) if (!stream.send(chunk)) await stream.onDrain()
    await stream.close()
  } catch (err) { stream.abort(err) }
}, { maxInboundStreams: 1024 })

async function perf (target, up, down) {
  const stream = await node.dialProtocol(target, PERF)
  const start = performance.now()
  const header = new Uint8Array(8)
  new DataView(header.buffer).setBigUint64(0, BigInt(down))
  stream.send(header)
  await sendBytes(stream, up)
  await stream.close()
  let got = 0
  for await (const chunk of stream) got += chunk.byteLength
  if (got !== down) throw new Error(`perf: got ${got} of ${down} bytes`)
  return (performance.now() - start) / 1000
}

function pct (v, p) { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p / 100))] }

if (mode === 'serve') {
  console.log(JSON.stringify({ id: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }))
  process.stdin.resume()
  process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
} else if (mode === 'run') {
  const target = multiaddr(arg)
  const bytes = Number(extra) * 1024 * 1024
  await node.dial(target)
  const up = await perf(target, bytes, 0)
  const down = await perf(target, 0, bytes)
  console.log(JSON.stringify({ upload_mibs: +(Number(extra) / up).toFixed(1), download_mibs: +(Number(extra) / down).toFixed(1) }))
  await node.stop(); process.exit(0)
} else if (mode === 'connect') {
  const target = multiaddr(arg)
  const times = []
  for (let i = 0; i < Number(extra); i++) {
    await node.hangUp(target)
    const start = performance.now()
    const stream = await node.dialProtocol(target, ECHO)
    stream.send(new Uint8Array([42]))
    for await (const chunk of stream) { if (chunk.byteLength > 0) break }
    times.push(performance.now() - start)
    stream.abort(new Error('done'))
  }
  console.log(JSON.stringify({ median_ms: +pct(times, 50).toFixed(3), p99_ms: +pct(times, 99).toFixed(3) }))
  await node.stop(); process.exit(0)
} else {
  console.log('usage: js_perf.mjs serve [noise|plaintext] | run <multiaddr> <MiB> | connect <multiaddr> <n>')
  process.exit(2)
}
