import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import t from 'tap'
import { exampleEventPage } from '../src/schemas/examples.js'
import { chainHash } from '../src/core/chain/index.js'
import { canonicalBytes } from '../src/core/json/index.js'
import { leafHash, nodeHash, verifyConsistency, verifyInclusion } from '../src/core/merkle/index.js'
import { decodeBase64, parseVerifierKey, type ParsedVerifierKey } from '../src/core/note/index.js'
import { openCheckpoint, type OpenedCheckpoint } from '../src/proofs/open-checkpoint.js'
import { parseTlogProof } from '../src/proofs/tlog-proof.js'
import { verifyReceipt } from '../src/proofs/verify-receipt.js'
import { verifyTlogProof } from '../src/proofs/verify-tlog-proof.js'
import { verifyExport } from '../src/verification/verify-export.js'
import { OPENAPI_PATH } from '../scripts/generate-openapi.js'

// A third party reads these examples as samples of what the service signs: each must open with
// the key the document itself publishes (its `/.well-known/audit-log-keys` example), and all of
// them must describe one log (one origin, one root per size, records that hash to the leaves).

type Json = unknown
interface Example { where: string, value: Json }

/** Every example value of the document: schema `examples`, media-type and parameter `example(s)`. */
function collectExamples (doc: Json): Example[] {
  const found: Example[] = []
  const walk = (node: Json, where: string, parentKey: string): void => {
    if (node === null || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      const at = `${where}/${key}`
      // A schema property that happens to be called `example` is a schema, not an example.
      if (parentKey !== 'properties' && key === 'example') {
        found.push({ where: at, value })
        continue
      }
      if (parentKey !== 'properties' && key === 'examples') {
        if (Array.isArray(value)) value.forEach((v, i) => found.push({ where: `${at}/${i}`, value: v }))
        else if (value !== null && typeof value === 'object') {
          for (const [name, ex] of Object.entries(value)) found.push({ where: `${at}/${name}`, value: (ex as { value?: Json }).value })
        }
        continue
      }
      walk(value, at, key)
    }
  }
  walk(doc, '#', '')
  return found
}

const NOTE_SIGNATURE = '\n\n\u2014 '
const VERIFIER_KEY = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/
const SIGNED_MEMBERS = ['note', 'receipt', 'tlog_proof', 'checkpoint', 'to_checkpoint', 'from_checkpoint', 'inclusion_proof', 'verifier_key', 'verifier_keys', 'root_hash']

interface Report {
  /** What was verified, one line per check, e.g. `checkpoint at #/paths/...`. */
  checked: string[]
  failures: string[]
}

function b64 (s: unknown, what: string): Buffer {
  const bytes = typeof s === 'string' ? decodeBase64(s) : null
  if (bytes === null || bytes.length !== 32) throw new Error(`${what} is not base64 of a 32-byte hash`)
  return bytes
}

/** The verifier keys the document publishes, from its own `/.well-known/audit-log-keys` example. */
function publishedKeys (doc: Json): { verifiers: ParsedVerifierKey[], originPrefix: string } {
  const example = (doc as any).paths['/.well-known/audit-log-keys'].get.responses['200'].content['application/json'].example
  // The answer for the example log (`?tenant=default`): concrete keys named after its origin, and the legacy name.
  return { verifiers: example.keys.map((k: { verifier_key: string }) => parseVerifierKey(k.verifier_key)), originPrefix: example.origin_prefix }
}

/**
 * Verifies every example that is or holds something signed or provable, with the project's
 * own verifiers. Returns the checks made and every failure (never throws for a bad example).
 */
async function verifyDocumentExamples (doc: Json): Promise<Report> {
  const report: Report = { checked: [], failures: [] }
  let keys: ReturnType<typeof publishedKeys>
  try {
    keys = publishedKeys(doc)
    if (keys.verifiers.length === 0) throw new Error('no key')
  } catch (err) {
    report.failures.push(`the /.well-known/audit-log-keys example has no usable verifier key: ${(err as Error).message}`)
    return report
  }
  const { verifiers, originPrefix } = keys
  const origins = new Set<string>()
  const roots = new Map<number, string>()
  /** seq -> leaf hash (hex), from every record an example shows. */
  const leaves = new Map<number, string>()
  const consistencyChecks: Array<() => void> = []

  const sameLog = (c: OpenedCheckpoint, where: string): OpenedCheckpoint => {
    if (!c.origin.startsWith(`${originPrefix}/`)) throw new Error(`${where}: origin ${c.origin} is not under the published prefix ${originPrefix}`)
    origins.add(c.origin)
    const root = c.rootHash.toString('base64')
    const known = roots.get(c.size)
    if (known !== undefined && known !== root) throw new Error(`${where}: a second root for size ${c.size}`)
    roots.set(c.size, root)
    return c
  }
  const checkpoint = (note: unknown, where: string): OpenedCheckpoint => {
    if (typeof note !== 'string') throw new Error(`${where}: not a note`)
    return sameLog(openCheckpoint(note, verifiers), where)
  }
  const addLeaf = (seq: number, canonical: Buffer, where: string): void => {
    const leaf = leafHash(canonical).toString('hex')
    const known = leaves.get(seq)
    if (known !== undefined && known !== leaf) throw new Error(`${where}: two different records at seq ${seq}`)
    leaves.set(seq, leaf)
  }
  const storedEvent = (e: Record<string, unknown>, where: string): void => {
    const canonical = canonicalBytes(e.record)
    const hash = chainHash(Buffer.from(String(e.prev_hash), 'hex'), canonical).toString('hex')
    if (hash !== e.hash) throw new Error(`${where}: hash is not SHA-256(prev_hash || canonical record)`)
    addLeaf(Number(e.seq), canonical, where)
  }

  const checkString = async (s: string, where: string): Promise<string | undefined> => {
    if (s.startsWith('c2sp.org/tlog-proof@v1\n')) {
      const v = verifyTlogProof(s, { verifiers })
      const proof = parseTlogProof(s)
      checkpoint(proof.checkpoint, where)
      if (proof.extra !== undefined) addLeaf(v.seq, proof.extra, where)
      return 'tlog-proof'
    }
    if (s.startsWith('audit-service receipt')) {
      const r = verifyReceipt(s, { verifiers })
      origins.add(r.origin)
      return 'receipt'
    }
    if (s.startsWith('{"type":"header"')) {
      const result = await verifyExport(Readable.from([s]), { verifiers })
      if (!result.valid) throw new Error(`export does not verify: ${JSON.stringify(result.first_error)}`)
      if (result.origin !== null) origins.add(result.origin)
      for (const line of s.split('\n').filter(l => l !== '')) {
        const parsed = JSON.parse(line) as { type: string, seq: number, canonical: string }
        if (parsed.type === 'record') addLeaf(parsed.seq, Buffer.from(parsed.canonical, 'utf8'), where)
      }
      return 'export'
    }
    if (s.includes(NOTE_SIGNATURE)) {
      checkpoint(s, where)
      return 'checkpoint'
    }
    if (VERIFIER_KEY.test(s)) {
      const k = parseVerifierKey(s)
      if (!verifiers.some(v => v.name === k.name && v.keyId.equals(k.keyId) && v.publicKey.equals(k.publicKey))) throw new Error(`${where}: verifier key ${s} is not one the document publishes`)
      return 'verifier key'
    }
    return undefined
  }

  const checkObject = async (o: Record<string, unknown>, where: string): Promise<string | undefined> => {
    if (Array.isArray(o.keys) && typeof o.origin_prefix === 'string') {
      for (const k of o.keys as Array<Record<string, unknown>>) {
        // A template (the answer without a tenant) has no key id: its name is `<origin_prefix>/<tenant>`.
        if (k.verifier_key === undefined) {
          if (k.name !== `${o.origin_prefix}/<tenant>` || k.key_id !== undefined) throw new Error(`${where}: a key without verifier_key must be the template <origin_prefix>/<tenant>`)
          if (!verifiers.some(v => Buffer.concat([Buffer.from([1]), v.publicKey]).toString('base64') === k.public_key)) throw new Error(`${where}: template public key is not a published key`)
          continue
        }
        const parsed = parseVerifierKey(String(k.verifier_key))
        if (k.public_key !== undefined && Buffer.concat([Buffer.from([1]), parsed.publicKey]).toString('base64') !== k.public_key) throw new Error(`${where}: public_key does not match verifier_key`)
        if (parsed.name !== k.name || parsed.keyId.toString('hex') !== k.key_id) throw new Error(`${where}: name or key_id does not match verifier_key`)
      }
      return 'verifier keys'
    }
    if (typeof o.inclusion_proof !== 'undefined') {
      const c = checkpoint(o.checkpoint, `${where}/checkpoint`)
      if (c.size !== o.tree_size || c.rootHash.toString('base64') !== o.root_hash || c.origin !== o.origin) throw new Error(`${where}: tree_size, root_hash or origin is not the signed checkpoint's`)
      const path = (o.inclusion_proof as unknown[]).map((h, i) => b64(h, `inclusion_proof[${i}]`))
      if (!verifyInclusion(Number(o.leaf_index), c.size, b64(o.leaf_hash, 'leaf_hash'), path, c.rootHash)) throw new Error(`${where}: inclusion_proof does not lead from leaf_hash to the signed root`)
      if (o.leaf_index !== Number(o.seq) - 1) throw new Error(`${where}: leaf_index is not seq - 1`)
      const proof = await checkString(String(o.tlog_proof), `${where}/tlog_proof`)
      if (proof !== 'tlog-proof') throw new Error(`${where}: tlog_proof is not a tlog-proof`)
      const parsed = parseTlogProof(String(o.tlog_proof))
      if (parsed.index !== o.leaf_index || parsed.checkpoint !== o.checkpoint) throw new Error(`${where}: tlog_proof is for another leaf or checkpoint`)
      if (parsed.extra === undefined || !leafHash(parsed.extra).equals(b64(o.leaf_hash, 'leaf_hash'))) throw new Error(`${where}: leaf_hash is not the hash of the record in tlog_proof`)
      return 'inclusion proof'
    }
    if (typeof o.to_checkpoint !== 'undefined') {
      const newer = checkpoint(o.to_checkpoint, `${where}/to_checkpoint`)
      if (newer.size !== o.to || newer.rootHash.toString('base64') !== o.to_root || newer.origin !== o.origin) throw new Error(`${where}: to, to_root or origin is not the signed checkpoint's`)
      if (o.from_checkpoint !== undefined) {
        const older = checkpoint(o.from_checkpoint, `${where}/from_checkpoint`)
        if (older.size !== o.from || older.rootHash.toString('base64') !== o.from_root) throw new Error(`${where}: from or from_root is not the signed old checkpoint's`)
      }
      const path = (o.proof as unknown[]).map((h, i) => b64(h, `proof[${i}]`))
      const fromRoot = b64(o.from_root, 'from_root')
      if (!verifyConsistency(Number(o.from), newer.size, fromRoot, newer.rootHash, path)) throw new Error(`${where}: the proof does not link from_root to the signed root`)
      // No checkpoint of size `from` is signed in the examples: its root is checked against the
      // records the other examples show, once they are all read.
      consistencyChecks.push(() => {
        const root = rootOfLeaves(leaves, Number(o.from))
        if (root === undefined) throw new Error(`${where}: the examples show too few records to check from_root`)
        if (!root.equals(fromRoot)) throw new Error(`${where}: from_root is not the root of the example log's first ${String(o.from)} records`)
      })
      return 'consistency proof'
    }
    if (typeof o.receipt === 'string') {
      const r = verifyReceipt(o.receipt, { verifiers })
      origins.add(r.origin)
      if (r.id !== o.id || r.received_at !== o.received_at || r.record_sha256 !== o.record_sha256) throw new Error(`${where}: id, received_at or record_sha256 is not the signed receipt's`)
      return 'accepted event with receipt'
    }
    if (typeof o.note === 'string') {
      const c = checkpoint(o.note, `${where}/note`)
      if (c.size !== o.size || c.rootHash.toString('base64') !== o.root_hash || c.origin !== o.origin) throw new Error(`${where}: size, root_hash or origin is not the signed checkpoint's`)
      if (o.origin !== `${originPrefix}/${String(o.tenant)}`) throw new Error(`${where}: origin is not <origin_prefix>/<tenant>`)
      return 'checkpoint (JSON)'
    }
    if (typeof o.hash === 'string' && typeof o.prev_hash === 'string' && o.record !== undefined) {
      storedEvent(o, where)
      return 'stored event'
    }
    return undefined
  }

  /** Checks a value and everything inside it that has a known signed or provable shape. */
  const visit = async (value: Json, where: string): Promise<void> => {
    try {
      const kind = typeof value === 'string'
        ? await checkString(value, where)
        : value !== null && typeof value === 'object' && !Array.isArray(value)
          ? await checkObject(value as Record<string, unknown>, where)
          : undefined
      if (kind !== undefined) {
        report.checked.push(`${kind} at ${where}`)
        return
      }
    } catch (err) {
      report.failures.push(`${where}: ${(err as Error).message}`)
      return
    }
    if (typeof value === 'string') {
      if (value.includes(NOTE_SIGNATURE) || value.includes('\u2014 ')) report.failures.push(`${where}: looks signed but is no known kind`)
      return
    }
    if (value === null || typeof value !== 'object') return
    const entries = Object.entries(value)
    for (const [key, v] of entries) {
      if (!Array.isArray(value) && SIGNED_MEMBERS.includes(key) && typeof v === 'string' && (await checkString(v, `${where}/${key}`).catch(() => 'bad')) === undefined) {
        report.failures.push(`${where}/${key}: a signed member that is neither a note nor a verifier key`)
      }
      await visit(v, `${where}/${key}`)
    }
  }

  for (const { where, value } of collectExamples(doc)) await visit(value, where)
  for (const check of consistencyChecks) {
    try {
      check()
    } catch (err) {
      report.failures.push((err as Error).message)
    }
  }
  if (origins.size > 1) report.failures.push(`the examples name ${origins.size} logs: ${[...origins].join(', ')}`)
  return report
}

/** RFC 6962 MTH of leaves 1..n (seq), or undefined when one is unknown. */
function rootOfLeaves (leaves: Map<number, string>, n: number): Buffer | undefined {
  const hashes: Buffer[] = []
  for (let seq = 1; seq <= n; seq++) {
    const leaf = leaves.get(seq)
    if (leaf === undefined) return undefined
    hashes.push(Buffer.from(leaf, 'hex'))
  }
  const mth = (hs: Buffer[]): Buffer => {
    if (hs.length === 1) return hs[0]!
    let k = 1
    while (k * 2 < hs.length) k *= 2
    return nodeHash(mth(hs.slice(0, k)), mth(hs.slice(k)))
  }
  return n === 0 ? undefined : mth(hashes)
}

const loadDoc = async (): Promise<any> => JSON.parse(await readFile(OPENAPI_PATH, 'utf8'))

t.test('every signed or provable example of the OpenAPI document verifies with the key it publishes', async t => {
  const report = await verifyDocumentExamples(await loadDoc())
  t.same(report.failures, [], 'no example fails')
  const kinds = (kind: string) => report.checked.filter(c => c.startsWith(`${kind} at `)).map(c => c.slice(kind.length + 4))
  // The places a reader meets them: if one stops being checked, the walk missed it.
  const places: Array<[kind: string, where: string, what: string]> = [
    ['checkpoint (JSON)', '#/components/schemas/Checkpoint/examples/0', 'the Checkpoint schema example'],
    ['checkpoint (JSON)', '#/paths//checkpoints/latest/get/responses/200/content/application/json/example', 'GET /checkpoints/latest?format=json'],
    ['checkpoint (JSON)', '#/paths//checkpoints/post/responses/201/content/application/json/example', 'POST /checkpoints 201'],
    ['checkpoint (JSON)', '#/paths//checkpoints/get/responses/200/content/application/json/example/checkpoints/0', 'GET /checkpoints'],
    ['checkpoint', '#/paths//checkpoints/latest/get/responses/200/content/text/plain/example', 'the checkpoint note'],
    ['tlog-proof', '#/paths//audit-events/{id}/proof/get/responses/200/content/text/plain/example', 'the tlog-proof'],
    ['inclusion proof', '#/paths//audit-events/{id}/proof/get/responses/200/content/application/json/example', 'the inclusion proof'],
    ['inclusion proof', '#/components/schemas/InclusionProof/examples/0', 'the InclusionProof schema example'],
    ['consistency proof', '#/paths//proofs/consistency/get/responses/200/content/application/json/example', 'the consistency proof'],
    ['accepted event with receipt', '#/paths//audit-events/post/responses/202/content/application/json/example', 'the receipt of POST /audit-events'],
    ['accepted event with receipt', '#/paths//audit-events/batch/post/responses/202/content/application/json/example/items/0', 'the receipt of POST /audit-events/batch'],
    ['export', '#/paths//audit-events/export/get/responses/200/content/application/x-ndjson/example', 'the export'],
    ['verifier keys', '#/paths//.well-known/audit-log-keys/get/responses/200/content/application/json/example', 'the verifier keys']
  ]
  for (const [kind, where, what] of places) t.ok(kinds(kind).includes(where), what)
  t.ok(kinds('stored event').length >= 3, 'the stored events')
  t.comment(`${report.checked.length} examples verified`)
})

t.test('the verification examples name records of the example log', async t => {
  const doc = await loadDoc()
  const hashes = new Map<number, string>(exampleEventPage.items.map(e => [e.seq, e.hash]))
  const examples = doc.components.schemas.VerifyResponse.examples as Array<{ head: { seq: number, hash: string } | null }>
  t.ok(examples.length > 0, 'VerifyResponse has examples')
  for (const e of examples) t.equal(e.head?.hash, hashes.get(e.head?.seq ?? 0), `head seq ${e.head?.seq} is the example log's record`)
})

/** A copy of the document with one edit; the edit must make the walk report a failure. */
async function failuresAfter (edit: (doc: any) => void): Promise<string[]> {
  const doc = await loadDoc()
  edit(doc)
  return (await verifyDocumentExamples(doc)).failures
}

const flipLastSignatureChar = (note: string): string => {
  const i = note.lastIndexOf('=') - 2
  return note.slice(0, i) + (note[i] === 'A' ? 'B' : 'A') + note.slice(i + 1)
}

t.test('a placeholder or tampered example fails the check', async t => {
  const latest = (doc: any) => doc.paths['/checkpoints/latest'].get.responses['200'].content
  const cases: Array<[string, (doc: any) => void, RegExp]> = [
    ['the placeholder note the Checkpoint schema had', doc => {
      doc.components.schemas.Checkpoint.examples[0] = {
        tenant: 'default',
        origin: 'audit-service.local/default',
        size: 3,
        root_hash: 'ZxJ4uNAl0+OUbMYBdxF3F8k8L9sPfJHvgm1xM+vj3kA=',
        note: 'audit-service.local/default\n3\nZxJ4uNAl0+OUbMYBdxF3F8k8L9sPfJHvgm1xM+vj3kA=\n\n\u2014 audit-service AbCdEf...\n',
        created_at: '2026-11-26T12:00:10.000Z'
      }
    }, /Checkpoint\/examples\/0: checkpoint: malformed note/],
    ['a signature byte changed in the checkpoint note', doc => {
      latest(doc)['text/plain'].example = flipLastSignatureChar(latest(doc)['text/plain'].example)
    }, /text\/plain\/example: checkpoint: /],
    ['root_hash of the JSON checkpoint not the signed one', doc => {
      latest(doc)['application/json'].example.root_hash = 'l0zWXGW4LR+62vf7tFf0q7+awUua961iYHQq3SxvT14='
    }, /size, root_hash or origin is not the signed checkpoint's/],
    ['a receipt signature byte changed', doc => {
      const item = doc.paths['/audit-events'].post.responses['202'].content['application/json'].example
      item.receipt = flipLastSignatureChar(item.receipt)
    }, /audit-events\/post\/.*receipt: /],
    ['record_sha256 of the accepted event not the receipt\'s', doc => {
      doc.components.schemas.AcceptedEvent.examples[0].record_sha256 = 'Z4u3LWZnT5uUczjCMmSKoABThW45kHna0/AQXI9MHcY='
    }, /record_sha256 is not the signed receipt's/],
    ['a hash of the inclusion path changed', doc => {
      doc.components.schemas.InclusionProof.examples[0].inclusion_proof[0] = 'hzkbRA7qx0jrqvWm3q4kByAr+0YRGyhp6o74ORwU/uY='
    }, /inclusion_proof does not lead/],
    ['a record in the tlog-proof changed', doc => {
      const content = doc.paths['/audit-events/{id}/proof'].get.responses['200'].content['text/plain']
      content.example = content.example.replace(/^extra .*$/m, (line: string) => line.slice(0, -8) + 'AAAAAAAA')
    }, /proof\/get\/responses\/200\/content\/text\/plain\/example: /],
    ['from_root of the consistency proof not the log\'s', doc => {
      const c = doc.paths['/proofs/consistency'].get.responses['200'].content['application/json'].example
      c.from = 1
      c.proof = ['Np2v1dauFlXcQ/B2FRsW8iIIRjCcDRSGKPxUge7DXXo=', 'hzkbRA7qx0jrqvWm3q4kByAr+0YRGyhp6o74ORwU/uY=']
      c.from_root = 'Np2v1dauFlXcQ/B2FRsW8iIIRjCcDRSGKPxUge7DXXo='
    }, /consistency.*(does not link|from_root is not)/],
    ['a record of the export changed', doc => {
      const content = doc.paths['/audit-events/export'].get.responses['200'].content['application/x-ndjson']
      content.example = content.example.replace('\\"u_0\\"', '\\"u_9\\"')
    }, /export does not verify/],
    ['a stored event\'s record changed', doc => {
      doc.components.schemas.EventPage.examples[0].items[1].record.outcome = 'failure'
    }, /hash is not SHA-256/],
    ['the published key swapped for another', doc => {
      const keys = doc.paths['/.well-known/audit-log-keys'].get.responses['200'].content['application/json'].example.keys
      // RFC 8032 test 2's public key under the same name.
      keys[0].verifier_key = keys[0].verifier_key.replace(/\+[^+]+$/, '+AT1RP+OmPIoU6xuYb3wa0XUYcuNXJMnG0ds3VUlWdF8M')
    }, /no usable verifier key|checkpoint: /],
    ['a second log\'s origin', doc => {
      doc.components.schemas.Checkpoint.examples[0].origin = 'audit-service.local/other'
    }, /origin is not the signed checkpoint's/]
  ]
  for (const [name, edit, expected] of cases) {
    const failures = await failuresAfter(edit)
    t.ok(failures.some(f => expected.test(f)), `${name}: refused`) || t.comment(failures)
  }
})
