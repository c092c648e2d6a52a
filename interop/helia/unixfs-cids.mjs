// Prints the root CIDs ipfs-unixfs-importer makes for deterministic contents
// of many sizes and settings, as JSON, for tests/interop/unixfs to recompute.
// content byte i = ((i * 7) ^ (i >> 9)) & 0xff
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core'

const content = (n) => {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = ((i * 7) ^ (i >> 9)) & 0xff
  return b
}

const K = 262144
const cases = []
const add = (size, opts = {}) => cases.push({ size, chunk: K, fanout: 174, raw_leaves: true, cid_version: 1, ...opts })
for (const s of [0, 1, 2, 1000, K - 1, K, K + 1, 2 * K - 1, 2 * K, 2 * K + 1, 10 * K + 17, 174 * K - 1, 174 * K, 174 * K + 1, 175 * K + 3, 348 * K + 1]) add(s)
for (const s of [0, 1, K - 1, K, K + 1, 3 * K + 5, 174 * K + 1]) add(s, { raw_leaves: false, cid_version: 0 })
for (const s of [0, 1, 5 * K]) add(s, { raw_leaves: false, cid_version: 1 })
for (const s of [0, 1, 5 * K + 3]) add(s, { raw_leaves: true, cid_version: 0 })
// deep trees cheaply: small chunks, default fanout
for (const s of [174 * 174 * 64, 174 * 174 * 64 + 1, 174 * 174 * 64 + 65]) add(s, { chunk: 64 })
// every shape with tiny chunks and fanout 3
for (let s = 0; s <= 120; s += 1) add(s, { chunk: 4, fanout: 3 })
for (let s = 0; s <= 60; s += 7) add(s, { chunk: 4, fanout: 3, raw_leaves: false, cid_version: 0 })

const bs = new MemoryBlockstore()
for (const c of cases) {
  const opts = {
    chunker: fixedSize({ chunkSize: c.chunk }),
    layout: balanced({ maxChildrenPerNode: c.fanout }),
    rawLeaves: c.raw_leaves,
    cidVersion: c.cid_version
  }
  let last
  for await (const e of importer([{ content: content(c.size) }], bs, opts)) last = e
  c.cid = last.cid.toString()
}

// A directory tree: d/{a.txt, empty, sub/{b.bin, c}}
const dirs = []
for (const [rawLeaves, cidVersion] of [[true, 1], [false, 0]]) {
  const entries = [
    { path: 'd/a.txt', content: content(1000) },
    { path: 'd/empty', content: content(0) },
    { path: 'd/sub/b.bin', content: content(3 * K + 1) },
    { path: 'd/sub/c', content: content(5) }
  ]
  const out = {}
  for await (const e of importer(entries, bs, { rawLeaves, cidVersion })) out[e.path] = e.cid.toString()
  dirs.push({ raw_leaves: rawLeaves, cid_version: cidVersion, cids: out })
}
process.stdout.write(JSON.stringify({ files: cases, dirs }, null, 1) + '\n')
