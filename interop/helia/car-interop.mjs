// CAR interop with @ipld/car 5: `write SIZE OUT` imports the deterministic
// content with ipfs-unixfs-importer and writes a CARv1 with @ipld/car's
// CarWriter; `check IN SIZE` reads a CAR with CarReader, checks every block's
// sha2-256 against its CID, exports the root with ipfs-unixfs-exporter and
// compares the bytes with the content.
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { CarWriter, CarReader } from '@ipld/car'
import { importer } from 'ipfs-unixfs-importer'
import { exporter } from 'ipfs-unixfs-exporter'
import { MemoryBlockstore } from 'blockstore-core'
import { sha256 } from 'multiformats/hashes/sha2'
import * as dagPb from '@ipld/dag-pb'

const content = (n) => {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = ((i * 7) ^ (i >> 9)) & 0xff
  return b
}
const [mode, a, b] = process.argv.slice(2)

if (mode === 'write') {
  const bs = new MemoryBlockstore()
  let root
  for await (const e of importer([{ content: content(Number(a)) }], bs)) root = e.cid
  const { writer, out } = CarWriter.create([root])
  const done = new Promise((resolve, reject) => Readable.from(out).pipe(fs.createWriteStream(b)).on('finish', resolve).on('error', reject))
  // depth-first from the root, each block once
  const seen = new Set()
  const walk = async (cid) => {
    if (seen.has(cid.toString())) return
    seen.add(cid.toString())
    let bytes = await bs.get(cid)
    if (!(bytes instanceof Uint8Array)) {  // newer blockstores yield chunks
      const parts = []
      for await (const p of bytes) parts.push(p)
      bytes = new Uint8Array(Buffer.concat(parts))
    }
    await writer.put({ cid, bytes })
    if (cid.code === dagPb.code) for (const l of dagPb.decode(bytes).Links) await walk(l.Hash)
  }
  await walk(root)
  await writer.close()
  await done
  console.log(root.toString())
} else if (mode === 'check') {
  const reader = await CarReader.fromBytes(fs.readFileSync(a))
  const roots = await reader.getRoots()
  if (roots.length !== 1) throw new Error('expected one root')
  const bs = new MemoryBlockstore()
  let n = 0
  for await (const { cid, bytes } of reader.blocks()) {
    const digest = await sha256.digest(bytes)
    if (Buffer.compare(Buffer.from(digest.bytes), Buffer.from(cid.multihash.bytes)) !== 0) throw new Error(`block ${cid} does not match`)
    await bs.put(cid, bytes)
    n++
  }
  const entry = await exporter(roots[0], bs)
  const chunks = []
  for await (const c of entry.content()) chunks.push(c)
  const got = Buffer.concat(chunks)
  if (Buffer.compare(got, Buffer.from(content(Number(b)))) !== 0) throw new Error('content differs')
  console.log(`ok ${roots[0]} ${n} blocks`)
} else {
  throw new Error('usage: write SIZE OUT | check IN SIZE')
}
