import { readdirSync, readFileSync, statSync } from 'node:fs'
import t from 'tap'
import {
  consistencyProof,
  inclusionProof,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../../../src/core/merkle/index.js'
import { leafHash } from '../../../src/core/merkle/index.js'
import { MemoryTree, leafData, naiveRoot } from '../helpers/memory-tree.js'

const RFC6962 = new URL('../../fixtures/vectors/rfc6962/', import.meta.url)

function jsonFiles (dir: URL): URL[] {
  return readdirSync(dir).flatMap((name) => {
    const url = new URL(name, dir)
    if (statSync(url).isDirectory()) return jsonFiles(new URL(`${name}/`, dir))
    return name.endsWith('.json') ? [url] : []
  })
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64')
const b64list = (l: string[] | null): Buffer[] => (l ?? []).map(b64)
const label = (u: URL): string => u.pathname.slice(RFC6962.pathname.length)

t.test('inclusion vectors (transparency-dev/merkle)', async (t) => {
  const files = jsonFiles(new URL('inclusion/', RFC6962))
  t.ok(files.length > 40, `${files.length} cases`)
  for (const f of files) {
    const c = JSON.parse(readFileSync(f, 'utf8')) as {
      leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; wantErr: boolean
    }
    const ok = verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), b64list(c.proof), b64(c.root))
    t.equal(ok, !c.wantErr, `${label(f)}: ${c.wantErr ? 'rejected' : 'accepted'}`)
  }
})

t.test('consistency vectors (transparency-dev/merkle)', async (t) => {
  const files = jsonFiles(new URL('consistency/', RFC6962))
  t.ok(files.length > 30, `${files.length} cases`)
  for (const f of files) {
    const c = JSON.parse(readFileSync(f, 'utf8')) as {
      size1: number; size2: number; root1: string; root2: string; proof: string[] | null; wantErr: boolean
    }
    const ok = verifyConsistency(c.size1, c.size2, b64(c.root1), b64(c.root2), b64list(c.proof))
    t.equal(ok, !c.wantErr, `${label(f)}: ${c.wantErr ? 'rejected' : 'accepted'}`)
  }
})

t.test('generated proofs verify for every leaf and size pair up to 70', async (t) => {
  const tree = new MemoryTree()
  const roots = [naiveRoot([])]
  let failures = 0
  let maxNodes = 0
  const counting: NodeReader = async (nodes) => {
    maxNodes = Math.max(maxNodes, nodes.length)
    return tree.read(nodes)
  }
  for (let n = 1; n <= 70; n++) {
    tree.append(leafData(n - 1))
    const root = tree.range.root()
    if (!root.equals(naiveRoot(tree.leaves))) failures++
    roots.push(root)
    for (let i = 0; i < n; i++) {
      const before = tree.reads
      const proof = await inclusionProof(i, n, counting)
      if (n > 1 && tree.reads !== before + 1) failures++ // exactly one batched read
      if (!verifyInclusion(i, n, leafHash(leafData(i)), proof, root)) failures++
      if (verifyInclusion(i, n, leafHash(leafData(i + 1)), proof, root)) failures++
    }
    for (let m = 1; m <= n; m++) {
      const proof = await consistencyProof(m, n, counting)
      const r1 = roots[m] as Buffer
      if (!verifyConsistency(m, n, r1, root, proof)) failures++
      if (m < n && verifyConsistency(m, n, roots[m - 1] as Buffer, root, proof)) failures++
    }
  }
  t.equal(failures, 0, 'all inclusion and consistency proofs verify, wrong inputs fail')
  t.ok(maxNodes <= 2 * 7, `O(log n) nodes per read (max ${maxNodes})`)
})

t.test('proof sizes match RFC 9162 examples', async (t) => {
  const tree = new MemoryTree()
  for (let i = 0; i < 7; i++) tree.append(leafData(i))
  // RFC 9162 §2.1.5: consistency proofs in the 7-leaf example tree.
  t.equal((await consistencyProof(3, 7, tree.read)).length, 4)
  t.equal((await consistencyProof(4, 7, tree.read)).length, 1)
  t.equal((await consistencyProof(6, 7, tree.read)).length, 3)
  // §2.1.3 example: audit paths for leaves b, d and e.
  t.equal((await inclusionProof(0, 7, tree.read)).length, 3)
  t.equal((await inclusionProof(3, 7, tree.read)).length, 3)
  t.equal((await inclusionProof(6, 7, tree.read)).length, 2)
  t.same(await inclusionProof(0, 1, tree.read), [])
  t.same(await consistencyProof(5, 5, tree.read), [])
})

t.test('generation rejects impossible requests', async (t) => {
  const tree = new MemoryTree()
  tree.append(leafData(0))
  await t.rejects(inclusionProof(1, 1, tree.read), RangeError)
  await t.rejects(consistencyProof(0, 1, tree.read), RangeError)
  await t.rejects(consistencyProof(2, 1, tree.read), RangeError)
  const shortReader: NodeReader = async () => []
  tree.append(leafData(1))
  await t.rejects(inclusionProof(0, 2, shortReader), /node reader returned/)
})

t.test('verifiers never throw on garbage', async (t) => {
  const h = Buffer.alloc(32)
  const junk: unknown[] = [null, undefined, 'x', [null], [Buffer.alloc(3)], {}]
  for (const j of junk) {
    t.equal(verifyInclusion(0, 2, h, j as Buffer[], h), false)
    t.equal(verifyConsistency(1, 2, h, h, j as Buffer[]), false)
  }
  t.equal(verifyInclusion(Number.NaN, 2, h, [h], h), false)
  t.equal(verifyInclusion(0, 2 ** 60, h, [h], h), false)
  t.equal(verifyConsistency(1, 2, null as unknown as Buffer, h, [h]), false)
  t.equal(verifyConsistency(-1, 2, h, h, [h]), false)
})
