import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { ADMIN_AUTH, buildTestApp, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// A witness written from the C2SP tlog-witness, tlog-cosignature, signed-note and
// tlog-checkpoint specs alone, and RFC 9162 §2.1.4.2 for consistency proofs: its own parsing
// of add-checkpoint, Ed25519 note verification, proof verification and cosignature/v1 signing
// (node:crypto), nothing from src/core. It knows a log by its origin and the verifier key
// published at /.well-known/audit-log-keys?tenant=, and talks to the service over real HTTP
// only: the service's worker POSTs to it, and its cosignature is read back from the service's
// real endpoints.

// ---- the independent witness -------------------------------------------------------------

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
const parentOf = (left: Buffer, right: Buffer) => sha256(Buffer.from([1]), left, right)
const DECIMAL = /^(0|[1-9][0-9]*)$/
const EM_DASH = '\u2014'

/** Raw 32 bytes of an Ed25519 public key. */
const rawPublicKey = (key: KeyObject) => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url')
const ed25519PublicKey = (raw: Buffer) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
/** signed-note key ID: SHA-256(name || 0x0A || type || public key)[:4]. */
const keyIdOf = (name: string, type: number, raw: Buffer) => sha256(Buffer.from(name), Buffer.from([0x0a, type]), raw).subarray(0, 4)

interface LogKey { name: string, keyId: Buffer, publicKey: KeyObject }

/** A signed-note verifier key `<name>+<hex key id>+<base64(0x01 || key)>` (Ed25519). */
function parseLogVerifierKey (vkey: string): LogKey {
  const [, name, idHex, b64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey) ?? []
  if (name === undefined || idHex === undefined || b64 === undefined) throw new Error(`not a verifier key: ${vkey}`)
  const bytes = Buffer.from(b64, 'base64')
  if (bytes.length !== 33 || bytes[0] !== 0x01) throw new Error('not an Ed25519 verifier key')
  const keyId = keyIdOf(name, 0x01, bytes.subarray(1))
  if (keyId.toString('hex') !== idHex) throw new Error('the verifier key\'s id does not match')
  return { name, keyId, publicKey: ed25519PublicKey(bytes.subarray(1)) }
}

/** A note's text (up to and including the newline before the blank line) and signature lines. */
function splitNote (note: string): { text: string, signatures: Array<{ name: string, bytes: Buffer }> } | undefined {
  if (!note.endsWith('\n')) return undefined
  const at = note.lastIndexOf('\n\n')
  if (at < 0) return undefined
  const text = note.slice(0, at + 1)
  const signatures: Array<{ name: string, bytes: Buffer }> = []
  for (const line of note.slice(at + 2, -1).split('\n')) {
    const m = new RegExp(`^${EM_DASH} (\\S+) ([A-Za-z0-9+/=]+)$`).exec(line)
    if (m === null) return undefined
    signatures.push({ name: m[1]!, bytes: Buffer.from(m[2]!, 'base64') })
  }
  return { text, signatures }
}

/** Is one of the note's signatures a valid Ed25519 one by `key`? Lines of other keys are ignored. */
function signedBy (note: { text: string, signatures: Array<{ name: string, bytes: Buffer }> }, key: LogKey): boolean {
  return note.signatures.some(s => s.name === key.name && s.bytes.length === 68 && s.bytes.subarray(0, 4).equals(key.keyId) &&
    verify(null, Buffer.from(note.text), key.publicKey, s.bytes.subarray(4)))
}

/** The checkpoint body's origin, size and root (C2SP tlog-checkpoint). */
function parseCheckpointText (text: string): { origin: string, size: number, root: Buffer } | undefined {
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3 || lines.some(l => l === '') || !DECIMAL.test(lines[1]!)) return undefined
  const root = Buffer.from(lines[2]!, 'base64')
  if (root.length !== 32 || root.toString('base64') !== lines[2]) return undefined
  return { origin: lines[0]!, size: Number(lines[1]), root }
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (first, firstHash) is a prefix of (second, secondHash)? */
function verifyConsistency (first: number, second: number, proof: Buffer[], firstHash: Buffer, secondHash: Buffer): boolean {
  if (first > second) return false
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash)
  if (first === 0) return proof.length === 0
  if (proof.length === 0) return false
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : [...proof]
  let fn = first - 1
  let sn = second - 1
  while ((fn & 1) === 1) { fn >>>= 1; sn >>>= 1 }
  let fr = path[0]!
  let sr = path[0]!
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if ((fn & 1) === 1 || fn === sn) {
      fr = parentOf(c, fr)
      sr = parentOf(c, sr)
      while ((fn & 1) === 0 && fn !== 0) { fn >>>= 1; sn >>>= 1 }
    } else {
      sr = parentOf(sr, c)
    }
    fn >>>= 1
    sn >>>= 1
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0
}

interface Seen { status: number, old?: number, size?: number, proofLines?: number, proofVerified?: boolean, reason?: string }

/** Parses a whole add-checkpoint body: `old N`, base64 hash lines, a blank line, a checkpoint. */
function parseAddCheckpoint (body: string): { old: number, proof: Buffer[], note: string } | string {
  const lines: string[] = []
  let at = 0
  for (;;) {
    const nl = body.indexOf('\n', at)
    if (nl < 0) return 'a line without a newline before the blank line'
    const line = body.slice(at, nl)
    at = nl + 1
    if (line === '') break
    lines.push(line)
  }
  const [oldLine, ...proofLines] = lines
  const old = /^old (0|[1-9][0-9]*)$/.exec(oldLine ?? '')
  if (old === null) return `no old size line: ${JSON.stringify(oldLine)}`
  if (proofLines.length > 63) return 'more than 63 proof lines'
  const proof = proofLines.map(l => Buffer.from(l, 'base64'))
  if (proof.some((h, i) => h.length !== 32 || h.toString('base64') !== proofLines[i])) return 'a proof line is no base64 hash'
  return { old: Number(old[1]), proof, note: body.slice(at) }
}

/**
 * The witness: for each log it knows (origin -> log key), the latest checkpoint it cosigned.
 * Served at `<url>/add-checkpoint`; every answer is recorded in `seen` for the test to read.
 */
class SpecWitness {
  readonly name: string
  readonly #privateKey: KeyObject
  readonly #publicKey: Buffer
  readonly #keyId: Buffer
  readonly #logs = new Map<string, LogKey>()
  readonly state = new Map<string, { size: number, root: Buffer }>()
  readonly seen: Seen[] = []
  #server: Server | undefined

  constructor (name: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    this.name = name
    this.#privateKey = privateKey
    this.#publicKey = rawPublicKey(publicKey)
    this.#keyId = keyIdOf(name, 0x04, this.#publicKey)
  }

  /** Its C2SP cosignature verifier key: `<name>+<hex key id>+<base64(0x04 || key)>`. */
  get verifierKey (): string {
    return `${this.name}+${this.#keyId.toString('hex')}+${Buffer.concat([Buffer.from([0x04]), this.#publicKey]).toString('base64')}`
  }

  trust (origin: string, logVerifierKey: string): void {
    this.#logs.set(origin, parseLogVerifierKey(logVerifierKey))
  }

  async listen (): Promise<string> {
    const server = createServer((req, res) => { this.#handle(req, res) })
    this.#server = server
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  async close (): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }

  #handle (req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const answer = req.method === 'POST' && req.url === '/add-checkpoint'
        ? this.addCheckpoint(Buffer.concat(chunks).toString('utf8'))
        : { status: 404, type: 'text/plain', body: 'not found\n' }
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body)
    })
  }

  addCheckpoint (body: string): { status: number, type: string, body: string } {
    const refuse = (status: number, reason: string, seen: Partial<Seen> = {}) => {
      this.seen.push({ status, reason, ...seen })
      return { status, type: 'text/plain; charset=utf-8', body: `${reason}\n` }
    }
    const request = parseAddCheckpoint(body)
    if (typeof request === 'string') return refuse(400, request)
    const { old, proof } = request
    const note = splitNote(request.note)
    const checkpoint = note === undefined ? undefined : parseCheckpointText(note.text)
    if (note === undefined || checkpoint === undefined) return refuse(400, 'the checkpoint is no signed note', { old })
    const seen = { old, size: checkpoint.size, proofLines: proof.length }
    const key = this.#logs.get(checkpoint.origin)
    if (key === undefined) return refuse(404, `unknown origin ${checkpoint.origin}`, seen)
    // Signatures of unknown keys are ignored; one by the log's key must verify.
    if (!signedBy(note, key)) return refuse(403, 'no signature by the log\'s key', seen)
    if (old > checkpoint.size) return refuse(400, 'old size past the checkpoint', seen)
    const mine = this.state.get(checkpoint.origin) ?? { size: 0, root: Buffer.alloc(0) }
    if (old !== mine.size) {
      this.seen.push({ status: 409, ...seen })
      return { status: 409, type: 'text/x.tlog.size', body: `${mine.size}\n` }
    }
    if (old === 0 && proof.length !== 0) return refuse(422, 'a proof from size 0', seen)
    if (old === checkpoint.size && !mine.root.equals(checkpoint.root)) {
      this.seen.push({ status: 409, ...seen, reason: 'same size, another root' })
      return { status: 409, type: 'text/x.tlog.size', body: `${mine.size}\n` }
    }
    const proofVerified = old === 0 || verifyConsistency(old, checkpoint.size, proof, mine.root, checkpoint.root)
    if (!proofVerified) return refuse(422, 'the consistency proof does not verify', { ...seen, proofVerified })
    // Checked and recorded in one synchronous step: no other request runs in between.
    this.state.set(checkpoint.origin, { size: checkpoint.size, root: checkpoint.root })
    const time = Math.floor(Date.now() / 1000)
    const message = Buffer.from(`cosignature/v1\ntime ${time}\n${note.text}`)
    const stamp = Buffer.alloc(8)
    stamp.writeBigUInt64BE(BigInt(time))
    const signature = sign(null, message, this.#privateKey)
    this.seen.push({ status: 200, ...seen, proofVerified: old !== 0 })
    return { status: 200, type: 'text/plain; charset=utf-8', body: `${EM_DASH} ${this.name} ${Buffer.concat([this.#keyId, stamp, signature]).toString('base64')}\n` }
  }
}

/** Checks a note's cosignature by a witness known by its verifier key alone; its timestamp. */
function verifyCosignatureLine (note: string, witnessVerifierKey: string): number | undefined {
  const [, name, idHex, b64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(witnessVerifierKey) ?? []
  const bytes = Buffer.from(b64!, 'base64')
  if (bytes[0] !== 0x04 || bytes.length !== 33 || keyIdOf(name!, 0x04, bytes.subarray(1)).toString('hex') !== idHex) throw new Error('not a cosignature/v1 verifier key')
  const publicKey = ed25519PublicKey(bytes.subarray(1))
  const parts = splitNote(note)
  if (parts === undefined) throw new Error('not a signed note')
  for (const s of parts.signatures) {
    if (s.name !== name || s.bytes.length !== 4 + 8 + 64 || s.bytes.subarray(0, 4).toString('hex') !== idHex) continue
    const time = s.bytes.readBigUInt64BE(4)
    if (verify(null, Buffer.from(`cosignature/v1\ntime ${time}\n${parts.text}`), publicKey, s.bytes.subarray(12))) return Number(time)
  }
  return undefined
}

/** Does the note carry a valid signature by the log's verifier key (the independent reading)? */
function opensWithLogKey (note: string, logVerifierKey: string): boolean {
  const parts = splitNote(note)
  return parts !== undefined && signedBy(parts, parseLogVerifierKey(logVerifierKey))
}

// ---- the service ------------------------------------------------------------------------

t.test('a witness written from the tlog-witness spec alone cosigns the log over real HTTP; proofs verify; a 409 is recovered from', { timeout: 60_000 }, async t => {
  const witness = new SpecWitness('spec-witness.example/w')
  const witnessUrl = await witness.listen()
  t.teardown(() => witness.close())

  const config = await testConfig(t, {
    PUBLIC_TENANTS: 'acme',
    WITNESSES: `${witness.verifierKey} ${witnessUrl}`,
    CHECKPOINT_INTERVAL_SECONDS: '1',
    VERIFY_INTERVAL_SECONDS: '0'
  })
  const app = await buildTestApp(t, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  // What the witness knows of the log: its origin and the verifier key published for it.
  const origin = `${config.logOrigin}/acme`
  const keys = await (await fetch(`${base}/.well-known/audit-log-keys?tenant=acme`)).json() as { keys: Array<{ verifier_key: string, status: string, origin: string }> }
  const logKey = keys.keys.find(k => k.status === 'active' && k.origin === origin)!.verifier_key
  t.ok(logKey.startsWith(`${origin}+`), 'the log\'s key is named after its origin')
  witness.trust(origin, logKey)
  await startTestWorker(t, config)

  const post = async (n: number) => {
    const res = await fetch(`${base}/audit-events/batch`, {
      method: 'POST',
      headers: { ...ADMIN_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ events: Array.from({ length: n }, () => sampleEvent({ tenant: 'acme' })) })
    })
    t.equal(res.status, 202, `${n} events posted`)
  }
  /** The served checkpoint once it is at `size` and carries the witness's valid cosignature. */
  const cosignedAt = async (size: number) => await waitFor(async () => {
    const res = await fetch(`${base}/logs/acme/checkpoint`)
    if (res.status !== 200) return undefined
    const note = await res.text()
    const parts = splitNote(note)
    const checkpoint = parts === undefined ? undefined : parseCheckpointText(parts.text)
    if (checkpoint?.size !== size) return undefined
    const time = verifyCosignatureLine(note, witness.verifierKey)
    return time === undefined ? undefined : { note, time, checkpoint }
  }, { what: `the served checkpoint at size ${size} cosigned by the spec witness` })

  await post(5)
  const first = await cosignedAt(5)
  t.ok(Math.abs(first.time - Date.now() / 1000) < 60, 'the cosignature\'s time is now')
  t.ok(witness.seen.length > 0)
  t.match(witness.seen[0], { status: 200, old: 0, proofLines: 0 }, 'the first request is from old 0, with no proof')
  t.ok(opensWithLogKey(first.note, logKey), 'the served note carries the log\'s own signature too')
  t.equal(witness.state.get(origin)?.size, 5)
  const latest = await fetch(`${base}/checkpoints/latest?tenant=acme`, { headers: ADMIN_AUTH })
  t.equal(latest.status, 200)
  t.equal(await latest.text(), first.note, '/checkpoints/latest serves the same cosigned note as /logs/acme/checkpoint')

  // The log grows: each request follows from the size the witness last cosigned, with a
  // consistency proof its own verifier accepts.
  await post(4)
  const second = await cosignedAt(9)
  await post(3)
  await cosignedAt(12)
  const accepted = witness.seen.filter(s => s.status === 200)
  t.same(witness.seen.filter(s => s.status !== 200), [], 'nothing refused so far')
  for (let i = 1; i < accepted.length; i++) {
    t.equal(accepted[i]!.old, accepted[i - 1]!.size, `request ${i + 1} is from the size cosigned before (${accepted[i - 1]!.size})`)
  }
  const proofs = accepted.filter(s => s.proofVerified === true)
  t.ok(proofs.length >= 2, `${proofs.length} consistency proofs verified by the spec witness`)
  t.ok(proofs.every(s => s.proofLines! > 0))

  // The witness is rolled back to size 9 (as from a backup): the log's next request, from 12,
  // gets one 409 stating 9, and its retry from 9 carries a proof the witness accepts.
  witness.state.set(origin, { size: 9, root: second.checkpoint.root })
  const mark = witness.seen.length
  await post(2)
  const last = await cosignedAt(14)
  const after = witness.seen.slice(mark)
  t.match(after[0], { status: 409, old: 12 }, 'the witness answers 409 to a request from the size it no longer has')
  t.equal(after.filter(s => s.status === 409).length, 1, 'one 409')
  t.match(after[1], { status: 200, old: 9, proofVerified: true }, 'the log retries from the size the 409 states, with a proof')
  t.equal(after.filter(s => s.status !== 200 && s.status !== 409).length, 0)
  const latestNote = await (await fetch(`${base}/checkpoints/latest?tenant=acme`, { headers: ADMIN_AUTH })).text()
  t.equal(latestNote, last.note, '/checkpoints/latest serves the same cosigned note as /logs/acme/checkpoint')
  t.equal(last.note.split('\n').filter(l => l.startsWith(`${EM_DASH} ${witness.name} `)).length, 1, 'one cosignature by the witness on the served note')

  // The witness lost its state (size 0): a 409 stating 0, and the log starts over from old 0
  // with no proof, as the spec requires of a request from size 0.
  witness.state.delete(origin)
  const mark2 = witness.seen.length
  await post(1)
  await cosignedAt(15)
  t.match(witness.seen.slice(mark2), [{ status: 409, old: 14 }, { status: 200, old: 0, proofLines: 0, size: 15 }], 'a 409 stating 0, then a request from old 0')
})

t.test('the independent consistency verifier refuses what it must', async t => {
  // Leaves 0..7, tree hashes by RFC 6962, to check the verifier itself on known proofs.
  const leaf = (i: number) => sha256(Buffer.from([0]), Buffer.from([i]))
  const mth = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaf(from)
    let k = 1
    while (k * 2 < to - from) k *= 2
    return parentOf(mth(from, from + k), mth(from + k, to))
  }
  // PROOF(3, D[7]) per RFC 6962 §2.1.2 is [c, d, g, l] in its example: here, as hashes.
  const proof = [leaf(2), leaf(3), mth(0, 2), mth(4, 7)]
  t.ok(verifyConsistency(3, 7, proof, mth(0, 3), mth(0, 7)))
  t.notOk(verifyConsistency(3, 7, proof, mth(0, 3), mth(0, 6)), 'another new root')
  t.notOk(verifyConsistency(3, 7, proof.slice(1), mth(0, 3), mth(0, 7)), 'a short proof')
  t.notOk(verifyConsistency(3, 7, [...proof, leaf(0)], mth(0, 3), mth(0, 7)), 'a long proof')
  // PROOF(4, D[7]) = [MTH(D[4:7])]: a power of two, its own root starts the path.
  t.ok(verifyConsistency(4, 7, [mth(4, 7)], mth(0, 4), mth(0, 7)))
  t.ok(verifyConsistency(6, 7, [mth(4, 6), leaf(6), mth(0, 4)], mth(0, 6), mth(0, 7)))
  t.notOk(verifyConsistency(6, 7, [mth(4, 6), leaf(6), mth(0, 4)], mth(0, 5), mth(0, 7)), 'another old root')
})
