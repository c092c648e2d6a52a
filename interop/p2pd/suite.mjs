// Registers the @libp2p/interop groups converge-p2pd takes part in (connect,
// stream echo, pubsub: floodsub; its gossipsub groups are skipped upstream);
// mocha --grep narrows them to the supported configurations.
import { connectInteropTests, pubsubInteropTests, streamInteropTests } from '@libp2p/interop'
import { factory } from './factory.mjs'

connectInteropTests(factory)
streamInteropTests(factory)
pubsubInteropTests(factory)
