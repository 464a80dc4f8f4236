import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { canonicalBytes } from '../../src/core/json/index.js'
import { formatCheckpoint } from '../../src/core/checkpoint/index.js'
import { CompactRange, frontierNodes, leafHash, nodeLocation, type TreeNode, consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../../src/core/merkle/index.js'
import { signNote } from '../../src/core/note/index.js'
import { buildTestApp, openDatabase, testConfig, testPrivateKey } from '../helper.js'

// A log of 1,000,000 leaves, of which only the rows a proof reads are stored: if the API
// rehashed the log, or read more than the O(log n) subtree hashes, it could not answer.
t.test('proofs at tree size 1,000,000 are read from ~log n stored rows, in milliseconds', async t => {
  const N = 1_000_000
  const OLD = 654_321
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const targets = [0, 123_456, OLD - 1, N - 1].map(index => ({
    index,
    record: {
      v: 1,
      id: `0193a1b2-0000-7000-8000-${String(index).padStart(12, '0')}`,
      tenant: 'default',
      seq: index + 1,
      received_at: '2026-11-26T12:00:00.000Z',
      redactions: [],
      occurred_at: '2026-11-26T12:00:00Z',
      action: 'user.login',
      actor: { type: 'user', id: 'u_1' }
    }
  }))

  // Which rows the proofs will read (recorded with a reader that stores nothing).
  const needed = new Set<number>()
  const record = async (nodes: TreeNode[]) => { for (const n of nodes) needed.add(nodeLocation(n.level, n.index).seq); return nodes.map(() => Buffer.alloc(32)) }
  for (const { index } of targets) await inclusionProof(index, index < OLD ? OLD : N, record).then(() => inclusionProof(index, N, record))
  await consistencyProof(OLD, N, record)
  for (const n of [...frontierNodes(N), ...frontierNodes(OLD)]) needed.add(nodeLocation(n.level, n.index).seq)
  for (const { index } of targets) needed.add(index + 1)
  t.ok(needed.size < 200, `${needed.size} rows of ${N} are enough`)

  // Build the tree, keeping the completed subtree hashes of those rows only.
  const canonical = new Map(targets.map(({ index, record }) => [index, canonicalBytes(record)]))
  const range = CompactRange.empty()
  const rows = new Map<number, Buffer>()
  let oldRoot: Buffer = Buffer.alloc(0)
  const seed = createHash('sha256')
  for (let i = 0; i < N; i++) {
    const c = canonical.get(i)
    const leaf = c === undefined ? seed.copy().update(String(i)).digest() : leafHash(c)
    const completed = range.append(leaf)
    if (needed.has(i + 1)) rows.set(i + 1, Buffer.concat(completed))
    if (i + 1 === OLD) oldRoot = range.root()
  }
  const root = range.root()

  const values = [...rows].map(([seq, treeNodes]) => {
    const c = canonical.get(seq - 1) ?? canonicalBytes({ v: 1, seq })
    return {
      tenant: 'default',
      seq,
      id: `0193a1b2-0000-7000-8000-${String(seq - 1).padStart(12, '0')}`,
      prev_hash: randomBytes(32),
      hash: randomBytes(32),
      canonical: c,
      record: c.toString('utf8'),
      content_digest: randomBytes(32),
      tree_nodes: treeNodes,
      occurred_at: '2026-11-26T12:00:00Z',
      received_at: '2026-11-26T12:00:00Z',
      action: 'user.login',
      actor_type: 'user',
      actor_id: 'u_1'
    }
  })
  await db.insertInto('audit_events').values(values).execute()
  await db.insertInto('chain_heads').values({ tenant: 'default', size: N, head_hash: randomBytes(32), frontier: Buffer.alloc(0), root_hash: root }).execute()
  const privateKey = await testPrivateKey()
  const sign = (size: number, rootHash: Buffer) => signNote(formatCheckpoint({ origin: 'audit-service.local/default', size, rootHash }), { name: 'audit-service.local/default', privateKey })
  await db.insertInto('checkpoints').values([{ tenant: 'default', size: OLD, root_hash: oldRoot, note: sign(OLD, oldRoot) }, { tenant: 'default', size: N, root_hash: root, note: sign(N, root) }]).execute()

  const b64 = (l: string[]) => l.map(s => Buffer.from(s, 'base64'))
  await app.inject({ method: 'GET', url: `/audit-events/${targets[0]!.record.id}/proof` }) // warm up
  const times: number[] = []
  for (const { index, record } of targets) {
    for (const size of index < OLD ? [OLD, N] : [N]) {
      const started = process.hrtime.bigint()
      const res = await app.inject({ method: 'GET', url: `/audit-events/${record.id}/proof${size === N ? '' : `?tree_size=${size}`}` })
      times.push(Number(process.hrtime.bigint() - started) / 1e6)
      t.equal(res.statusCode, 200, res.body)
      const body = res.json()
      t.ok(verifyInclusion(index, size, leafHash(canonical.get(index)!), b64(body.inclusion_proof), size === N ? root : oldRoot), `leaf ${index} in tree ${size}`)
      t.ok(body.tlog_proof.startsWith('c2sp.org/tlog-proof@v1\nextra '))
    }
  }
  const started = process.hrtime.bigint()
  const res = await app.inject({ method: 'GET', url: `/proofs/consistency?from=${OLD}` })
  times.push(Number(process.hrtime.bigint() - started) / 1e6)
  t.ok(verifyConsistency(OLD, N, oldRoot, root, b64(res.json().proof)), `consistency ${OLD} -> ${N}`)
  t.equal(res.json().to_root, root.toString('base64'))
  const slowest = Math.max(...times)
  t.comment(`proof latencies at n = 1,000,000 (ms): ${times.map(ms => ms.toFixed(1)).join(', ')}`)
  t.ok(slowest < 250, `every proof answered in milliseconds (slowest ${slowest.toFixed(1)} ms)`)
})
