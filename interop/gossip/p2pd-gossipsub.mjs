// converge's own gossipsub test beside @libp2p/interop's floodsub group (its
// gossipsub group is describe.skip upstream): the same shape, with both
// daemons on pubsubRouter 'gossipsub', for js -> converge, converge -> js and
// converge -> converge, plus replies the other way on the same pair.
// 'go' is converge-p2pd (CONVERGE_P2PD), 'js' a js-libp2p daemon with
// @libp2p/gossipsub. Loopback only.
import { expect } from 'aegir/chai'
import { factory } from '../p2pd/factory.mjs'

const gossip = type => ({ type, pubsub: true, pubsubRouter: 'gossipsub', encryption: 'noise', muxer: 'yamux' })
const name = type => (type === 'go' ? 'converge' : 'js')
const enc = s => new TextEncoder().encode(s)
const dec = b => new TextDecoder().decode(b)

// Polls LIST_PEERS until `watcher` lists `peer` on `topic` (as @libp2p/interop
// does), then waits two heartbeats for the mesh.
async function waitForSubscribed (topic, watcher, peer) {
  const id = (await peer.client.identify()).peerId.toString()
  for (let i = 0; i < 100; i++) {
    const peers = await watcher.client.pubsub.getSubscribers(topic)
    if (peers.map(p => p.toString()).includes(id)) break
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  await new Promise(resolve => setTimeout(resolve, 2000))
}

async function nextMessage (iterator) {
  const r = await iterator.next()
  expect(r.done).to.equal(false)
  return r.value
}

for (const [a, b] of [['js', 'go'], ['go', 'js'], ['go', 'go']]) {
  describe(`converge gossipsub ${name(a)} <-> ${name(b)}`, () => {
    let daemonA
    let daemonB

    before(async function () {
      this.timeout(20 * 1000)
      daemonA = await factory.spawn(gossip(a))
      daemonB = await factory.spawn(gossip(b))
      const idB = await daemonB.client.identify()
      await daemonA.client.connect(idB.peerId, idB.addrs)
    })

    after(async () => {
      await Promise.all([daemonA, daemonB].filter(Boolean).map(async d => { await d.stop() }))
    })

    it(`${name(a)} publishes, ${name(b)} receives; then the reverse`, async function () {
      this.timeout(30 * 1000)
      const topic = 'converge-gossip-test'
      const subA = await daemonA.client.pubsub.subscribe(topic)
      const subB = await daemonB.client.pubsub.subscribe(topic)
      const itA = subA.messages()[Symbol.asyncIterator]()
      const itB = subB.messages()[Symbol.asyncIterator]()
      await waitForSubscribed(topic, daemonA, daemonB)
      await waitForSubscribed(topic, daemonB, daemonA)
      const idA = (await daemonA.client.identify()).peerId
      const idB = (await daemonB.client.identify()).peerId

      await daemonA.client.pubsub.publish(topic, enc(`hello from ${name(a)}`))
      let m = await nextMessage(itB)
      // A converge subscriber also gets its own messages (go-libp2p does too); skip them.
      expect(dec(m.data)).to.equal(`hello from ${name(a)}`)
      expect(m.topicIDs).to.deep.equal([topic])
      expect(m.from).to.equalBytes(idA.toMultihash().bytes)
      expect(m.signature?.length ?? 0).to.be.greaterThan(0)
      expect(m.seqno?.length).to.equal(8)

      await daemonB.client.pubsub.publish(topic, enc(`reply from ${name(b)}`))
      do { m = await nextMessage(itA) } while (dec(m.data) === `hello from ${name(a)}`)
      expect(dec(m.data)).to.equal(`reply from ${name(b)}`)
      expect(m.from).to.equalBytes(idB.toMultihash().bytes)

      const topicsA = await daemonA.client.pubsub.getTopics()
      expect(topicsA).to.include(topic)
      await subA.cancel()
      await subB.cancel()
    })
  })
}
