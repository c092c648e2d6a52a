// A js-libp2p Noise peer (@libp2p/noise 17, or its former name
// @chainsafe/libp2p-noise 17) speaking noise-libp2p framing on stdin/stdout,
// for js_interop_test.cpp. It drives the package's own XX handshake
// (performHandshake.js) and transport ciphers. Loaded from the npm folder in
// CONVERGE_JS_DIR; exits 77 when that folder lacks the packages.
//   node noise_peer.mjs <initiator|responder> <KeyType> <muxer,muxer|-> [expected peer id]
// After the handshake it answers every transport message with "echo:" + it,
// and stops after echoing "bye". stderr line "js-peer-id <id>" names itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.CONVERGE_JS_DIR ?? '';
const mod = (p) => join(dir, 'node_modules', p);
const noiseName = ['@libp2p/noise', '@chainsafe/libp2p-noise'].find((n) => {
  const pkg = mod(`${n}/package.json`);
  return existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version.startsWith('17.');
});
if (noiseName === undefined) process.exit(77);
const load = (p) => import(pathToFileURL(mod(p)).href);
const { performHandshakeInitiator, performHandshakeResponder } = await load(`${noiseName}/dist/src/performHandshake.js`);
const { defaultCrypto } = await load(`${noiseName}/dist/src/crypto/index.js`);
const { wrapCrypto } = await load(`${noiseName}/dist/src/crypto.js`);
process.stderr.write(`js-noise ${noiseName}\n`);
const { generateKeyPair, publicKeyFromProtobuf } = await load('@libp2p/crypto/dist/src/keys/index.js');
const { peerIdFromPublicKey, peerIdFromString } = await load('@libp2p/peer-id/dist/src/index.js');
const { Uint8ArrayList } = await load('uint8arraylist/dist/src/index.js');

const [role, keyType, muxerArg, expected] = process.argv.slice(2);
const muxers = muxerArg === '-' ? [] : muxerArg.split(',');
const privateKey = await generateKeyPair(keyType);
process.stderr.write(`js-peer-id ${peerIdFromPublicKey(privateKey.publicKey).toString()}\n`);

let input = Buffer.alloc(0);
const waiting = [];
process.stdin.on('data', (d) => { input = Buffer.concat([input, d]); deliver(); });
process.stdin.on('end', () => process.exit(3));
function deliver() {
  while (waiting.length > 0 && input.length >= 2) {
    const len = input.readUInt16BE(0);
    if (input.length < 2 + len) return;
    const msg = new Uint8Array(input.subarray(2, 2 + len));
    input = input.subarray(2 + len);
    waiting.shift()(new Uint8ArrayList(msg));
  }
}
const connection = {
  read: () => new Promise((resolve) => { waiting.push(resolve); deliver(); }),
  write: async (data) => {
    const bytes = data instanceof Uint8Array ? data : data.subarray();
    const header = Buffer.alloc(2);
    header.writeUInt16BE(bytes.length);
    process.stdout.write(Buffer.concat([header, Buffer.from(bytes)]));
  }
};
const quiet = { trace() {}, error() {}, newScope() { return quiet; } };
const init = {
  connection, privateKey, crypto: wrapCrypto(defaultCrypto), prologue: new Uint8Array(0),
  s: defaultCrypto.generateX25519KeyPair(), log: quiet,
  remoteIdentityKey: expected ? peerIdFromString(expected).publicKey : undefined,
  extensions: { streamMuxers: muxers, webtransportCerthashes: [] }
};
try {
  const hs = role === 'initiator' ? await performHandshakeInitiator(init) : await performHandshakeResponder(init);
  const remote = peerIdFromPublicKey(publicKeyFromProtobuf(hs.payload.identityKey));
  process.stderr.write(`js-remote ${remote.toString()} muxers ${(hs.payload.extensions?.streamMuxers ?? []).join(',')}\n`);
  for (;;) {
    const plain = Buffer.from(hs.decrypt(await connection.read()).subarray());
    const reply = hs.encrypt(new Uint8Array(Buffer.concat([Buffer.from('echo:'), plain])));
    await connection.write(reply instanceof Uint8Array ? reply : reply.subarray());
    if (plain.toString() === 'bye') break;
  }
} catch (e) {
  process.stderr.write(`js-failed ${e.message}\n`);
  process.exit(1);
}
process.exit(0);
