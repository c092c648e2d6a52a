// converge-p2pd answers what it does not implement (DHT, pubsub) with a clear
// ERROR, and refuses configurations it cannot serve (tls, mplex) at spawn.
import { expect } from 'aegir/chai'
import { factory } from './factory.mjs'

describe('converge-p2pd unsupported requests', () => {
  let daemon

  before(async function () {
    this.timeout(20 * 1000)
    daemon = await factory.spawn({ type: 'go', encryption: 'noise', muxer: 'yamux' })
  })

  after(async () => { await daemon?.stop() })

  it('DHT FIND_PEER answers ERROR naming the limitation', async () => {
    const self = await daemon.client.identify()
    const err = await daemon.client.dht.findPeer(self.peerId).then(() => null, e => e)
    expect(err).to.be.an('error')
    expect(err.message).to.match(/not supported/)
  })

  it('PUBSUB GET_TOPICS answers ERROR naming the limitation', async () => {
    const err = await daemon.client.pubsub.getTopics().then(() => null, e => e)
    expect(err).to.be.an('error')
    expect(err.message).to.match(/not supported/)
  })

  it('IDENTIFY still works after refused requests', async () => {
    const self = await daemon.client.identify()
    expect(self.addrs.length).to.be.greaterThan(0)
    expect(self.addrs.every(a => !a.toString().includes('/p2p/'))).to.equal(true)
  })

  it('the factory reports tls and mplex as UnsupportedError (the suite skips them)', async () => {
    for (const options of [{ encryption: 'tls' }, { muxer: 'mplex' }]) {
      const err = await factory.spawn({ type: 'go', ...options }).then(() => null, e => e)
      expect(err).to.be.an('error')
      expect(err.name).to.equal('UnsupportedError')
    }
  })
})
