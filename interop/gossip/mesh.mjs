// A mixed gossipsub mesh on loopback: js-libp2p nodes with @libp2p/gossipsub
// (in this process) and converge-p2pd daemons (-pubsub, gossipsub router),
// connected as a ring with chords so most messages cross both kinds of node.
// Every node publishes; every message must reach every other node. Prints
// delivery and publish-to-receive latency (p50/p99, one clock: this process).
// With converge daemons in the mesh, a second test adds a js node that floods
// invalid (unsigned) messages at two daemons only: both score it below the
// graylist threshold (their log says so, naming it) and ignore it from then
// on, while every honest node still gets every honest message and no spam.
// MESH_SCORE=false runs the daemons without scoring (the test then fails).
// Loopback only: no bootstrap, mDNS, UPnP, AutoNAT or delegated routing.
import { expect } from 'aegir/chai'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { factory } from '../p2pd/factory.mjs'

const JS_NODES = Number(process.env.MESH_JS ?? 4)
const CONVERGE_NODES = Number(process.env.MESH_CONVERGE ?? 4)
const PER_NODE = Number(process.env.MESH_MESSAGES ?? 5)
const TOPIC = 'converge-mixed-mesh'
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const enc = s => new TextEncoder().encode(s)
const dec = b => new TextDecoder().decode(b)

async function jsNode (pubsubOptions = {}) {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionManager: { inboundConnectionThreshold: 10000 },
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      pubsub: gossipsub({ scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) }, ...pubsubOptions })
    }
  })
  const received = []
  node.services.pubsub.addEventListener('message', evt => {
    if (evt.detail.topic === TOPIC) received.push({ data: dec(evt.detail.data), at: Date.now() })
  })
  node.services.pubsub.subscribe(TOPIC)
  return {
    kind: 'js',
    id: node.peerId,
    addrs: node.getMultiaddrs(),
    received,
    // js-libp2p lists its addresses with /p2p/<id> already; a daemon's come without.
    dial: async other => {
      await node.dial(other.addrs.map(a => a.toString().includes('/p2p/') ? a : a.encapsulate(`/p2p/${other.id}`))[0])
    },
    subscribers: async () => node.services.pubsub.getSubscribers(TOPIC).map(p => p.toString()),
    publish: async data => { await node.services.pubsub.publish(TOPIC, data) },
    stop: async () => { await node.stop() }
  }
}

async function convergeNode () {
  const daemon = await factory.spawn({ type: 'go', pubsub: true, pubsubRouter: 'gossipsub', pubsubScore: process.env.MESH_SCORE !== 'false' })
  const self = await daemon.client.identify()
  const received = []
  const sub = await daemon.client.pubsub.subscribe(TOPIC)
  // Not awaited at the end: the client's pending read does not settle when the daemon exits.
  void (async () => {
    try {
      for await (const m of sub.messages()) received.push({ data: dec(m.data), at: Date.now() })
    } catch {}
  })()
  return {
    kind: 'converge',
    log: () => daemon.log(),
    id: self.peerId,
    addrs: self.addrs,
    received,
    dial: async other => { await daemon.client.connect(other.id, other.addrs) },
    subscribers: async () => (await daemon.client.pubsub.getSubscribers(TOPIC)).map(p => p.toString()),
    publish: async data => { await daemon.client.pubsub.publish(TOPIC, data) },
    stop: async () => {
      await sub.cancel().catch(() => {})
      await daemon.stop()
    }
  }
}

function percentile (sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

describe(`mixed gossipsub mesh: ${JS_NODES} js + ${CONVERGE_NODES} converge`, function () {
  this.timeout(120 * 1000)
  const nodes = []
  const edges = []

  before(async () => {
    // Interleave kinds so every ring edge joins a js node and a converge node.
    for (let i = 0; i < Math.max(JS_NODES, CONVERGE_NODES); i++) {
      if (i < JS_NODES) nodes.push(await jsNode())
      if (i < CONVERGE_NODES) nodes.push(await convergeNode())
    }
    const n = nodes.length
    for (let i = 0; i < n; i++) {
      edges.push([i, (i + 1) % n])
      if (n > 4 && i % 2 === 0) edges.push([i, (i + 3) % n])
    }
    for (const [i, j] of edges) await nodes[i].dial(nodes[j])
  })

  after(async () => { await Promise.all(nodes.map(n => n.stop().catch(() => {}))) })

  it('every message from every node reaches every other node', async () => {
    // Wait until each node lists its neighbours as subscribers, then two heartbeats.
    for (const [i, j] of edges) {
      for (const [w, o] of [[i, j], [j, i]]) {
        for (let k = 0; k < 100; k++) {
          if ((await nodes[w].subscribers()).includes(nodes[o].id.toString())) break
          await sleep(100)
        }
      }
    }
    await sleep(2500)

    const sentAt = new Map()
    for (let k = 0; k < PER_NODE; k++) {
      for (let i = 0; i < nodes.length; i++) {
        const text = `n${i}-m${k}`
        sentAt.set(text, Date.now())
        await nodes[i].publish(enc(text))
      }
      await sleep(20)
    }
    const expected = i => [...sentAt.keys()].filter(t => !t.startsWith(`n${i}-`))
    const complete = () => nodes.every((node, i) => {
      const got = new Set(node.received.map(r => r.data))
      return expected(i).every(t => got.has(t))
    })
    for (let k = 0; k < 300 && !complete(); k++) await sleep(100)

    let delivered = 0
    let wanted = 0
    const latencies = []
    const missing = []
    nodes.forEach((node, i) => {
      const first = new Map()
      for (const r of node.received) if (!first.has(r.data)) first.set(r.data, r.at)
      for (const t of expected(i)) {
        wanted++
        if (first.has(t)) {
          delivered++
          latencies.push(first.get(t) - sentAt.get(t))
        } else {
          missing.push(`${node.kind}#${i} missed ${t}`)
        }
      }
    })
    latencies.sort((x, y) => x - y)
    console.log(`    mixed mesh: ${nodes.length} nodes (${JS_NODES} js, ${CONVERGE_NODES} converge), ` +
      `${edges.length} links, ${sentAt.size} messages; delivery ${delivered}/${wanted}; ` +
      `latency p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`)
    expect(missing, missing.slice(0, 10).join('; ')).to.deep.equal([])
  })

  it('a node flooding invalid messages is cut off by the converge daemons; honest nodes still get everything', async function () {
    const daemons = nodes.filter(n => n.kind === 'converge')
    if (daemons.length < 2) this.skip()
    // Unsigned messages: every StrictSign router (converge's and js's default)
    // rejects them. The flooder's own policy rejects the daemons' signed
    // messages in turn; thresholds at -Infinity keep it publishing to them
    // whatever it thinks of them.
    const never = -Infinity
    const flooder = await jsNode({
      globalSignaturePolicy: 'StrictNoSign',
      scoreThresholds: { gossipThreshold: never, publishThreshold: never, graylistThreshold: never }
    })
    try {
      for (const d of daemons.slice(0, 2)) await flooder.dial(d)
      for (const d of daemons.slice(0, 2)) {
        for (let k = 0; k < 100; k++) {
          if ((await d.subscribers()).includes(flooder.id.toString())) break
          await sleep(100)
        }
      }
      await sleep(1500)
      // It floods for the whole test; P4 decays quickly, so a flooder that
      // stopped would be forgiven within seconds.
      let spam = 0
      let flooding = true
      const flood = (async () => {
        while (flooding) {
          await flooder.publish(enc(`spam-${spam++}`)).catch(() => {})
          await sleep(50)
        }
      })()
      await sleep(3000)  // graylisted, then pruned at the daemons' next heartbeats
      const sentAt = new Map()
      for (let i = 0; i < nodes.length; i++) {
        for (let k = 0; k < 3; k++) {
          const text = `after-flood-n${i}-m${k}`
          sentAt.set(text, Date.now())
          await nodes[i].publish(enc(text))
        }
      }
      const expected = i => [...sentAt.keys()].filter(t => !t.startsWith(`after-flood-n${i}-`))
      const complete = () => nodes.every((node, i) => {
        const got = new Set(node.received.map(r => r.data))
        return expected(i).every(t => got.has(t))
      })
      for (let k = 0; k < 300 && !complete(); k++) await sleep(100)
      await sleep(1000)
      flooding = false
      await flood
      const missing = []
      nodes.forEach((node, i) => {
        const got = new Set(node.received.map(r => r.data))
        for (const t of expected(i)) if (!got.has(t)) missing.push(`${node.kind}#${i} missed ${t}`)
      })
      const spamSeen = nodes.map(n => n.received.filter(r => r.data.startsWith('spam-')).length).reduce((a, b) => a + b, 0)
      const graylisting = daemons.slice(0, 2).filter(d =>
        new RegExp(`peer ${flooder.id.toString()} scored -[0-9.]+, below the graylist threshold`).test(d.log())).length
      console.log(`    flooder: ${spam} invalid messages sent to 2 converge daemons; graylisted by ${graylisting} of 2; ` +
        `honest delivery ${sentAt.size * (nodes.length - 1) - missing.length}/${sentAt.size * (nodes.length - 1)}; ` +
        `spam delivered to honest nodes ${spamSeen}`)
      expect(missing, missing.slice(0, 10).join('; ')).to.deep.equal([])
      expect(spamSeen).to.equal(0)
      expect(graylisting, 'daemons that logged the flooder below the graylist threshold').to.equal(2)
    } finally {
      await flooder.stop().catch(() => {})
    }
  })
})
