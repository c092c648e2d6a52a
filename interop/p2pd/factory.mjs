// The @libp2p/interop daemon factory: type 'go' is converge-p2pd (the C++
// daemon, path from CONVERGE_P2PD), type 'js' is a js-libp2p node behind
// @libp2p/daemon-server. Loopback only: no bootstrap, mDNS, UPnP, AutoNAT or
// delegated routing; js listens on and dials 127.0.0.1 only.
import { spawn as spawnProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import { createClient } from '@libp2p/daemon-client'
import { createServer } from '@libp2p/daemon-server'
import { floodsub } from '@libp2p/floodsub'
import { gossipsub } from '@libp2p/gossipsub'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { plaintext } from '@libp2p/plaintext'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

class UnsupportedError extends Error {
  constructor (message) {
    super(message)
    this.name = 'UnsupportedError'
  }
}

function checkSupported (options) {
  if (options.transport != null && options.transport !== 'tcp') {
    throw new UnsupportedError(`transport ${options.transport} not used here`)
  }
  if (options.encryption === 'tls') throw new UnsupportedError('tls is not supported by converge-p2pd')
  if (options.muxer === 'mplex') throw new UnsupportedError('mplex is not supported by converge-p2pd')
  if (options.dht || options.relay) throw new UnsupportedError('dht/relay not supported by converge-p2pd')
}

async function spawnConverge (options) {
  const bin = process.env.CONVERGE_P2PD
  if (bin == null || bin === '') throw new Error('CONVERGE_P2PD (path of converge-p2pd) is not set')
  const args = ['-listen=/ip4/127.0.0.1/tcp/0']
  if (options.noListen === true) args.push('-noListenAddrs')
  else args.push('-hostAddrs=/ip4/127.0.0.1/tcp/0')
  args.push(options.encryption === 'plaintext' ? '-plaintext=true' : '-noise=true')
  args.push(`-muxer=${options.muxer ?? 'yamux'}`)
  if (options.key != null) args.push(`-id=${options.key}`)
  if (options.pubsub === true) args.push('-pubsub', `-pubsubRouter=${options.pubsubRouter ?? 'gossipsub'}`)
  if (options.pubsubScore === false) args.push('-pubsubScore=false')

  // stderr is passed through and kept (bounded), so a test can read the daemon's log.
  const proc = spawnProcess(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stderr.on('data', chunk => {
    process.stderr.write(chunk)
    log = (log + chunk.toString()).slice(-65536)
  })
  const exited = new Promise(resolve => proc.once('exit', resolve))
  const addr = await new Promise((resolve, reject) => {
    let out = ''
    const onData = (chunk) => {
      out += chunk.toString()
      const m = out.match(/Control socket: (\S+)/)
      if (m != null) {
        proc.stdout.off('data', onData)
        resolve(m[1])
      }
    }
    proc.stdout.on('data', onData)
    proc.once('exit', code => reject(new Error(`converge-p2pd exited with ${code} before it was ready: ${out}`)))
    proc.once('error', reject)
  })
  proc.stdout.resume()
  return {
    client: createClient(multiaddr(addr)),
    log: () => log,
    async stop () {
      proc.kill('SIGTERM')
      await exited
    }
  }
}

async function spawnJs (options) {
  const services = { identify: identify() }
  if (options.pubsub === true) {
    // Loopback: every peer is 127.0.0.1, so exempt it from the IP colocation penalty.
    services.pubsub = options.pubsubRouter === 'floodsub'
      ? floodsub()
      : gossipsub({ scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) } })
  }
  const config = {
    addresses: { listen: options.noListen === true ? [] : ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    streamMuxers: [yamux()],
    connectionEncrypters: [options.encryption === 'plaintext' ? plaintext() : noise()],
    connectionManager: { inboundConnectionThreshold: 10000 },
    peerDiscovery: [],
    services
  }
  if (options.key != null) {
    config.privateKey = privateKeyFromProtobuf(await fs.readFile(options.key))
  }
  const node = await createLibp2p({ ...config, start: false })
  const server = createServer(multiaddr('/ip4/127.0.0.1/tcp/0'), node)
  await server.start()
  return {
    client: createClient(server.getMultiaddr()),
    async stop () {
      await server.stop()
    }
  }
}

export const factory = {
  async spawn (options) {
    checkSupported(options)
    if (options.type === 'go') return spawnConverge(options)
    return spawnJs(options)
  }
}
