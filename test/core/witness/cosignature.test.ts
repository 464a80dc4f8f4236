import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { formatCheckpoint } from '../../../src/core/checkpoint/index.js'
import {
  cosignatureKeyId, formatCosignatureVerifierKey, formatVerifierKey, NoteKeyError, NoteVerificationError, noteKeyId, openNote,
  parseCosignatureVerifierKey, parseVerifierKey, publicKeyBytes, signNote
} from '../../../src/core/note/index.js'
import { parseSignatureLine } from '../../../src/core/note/index.js'
import { cosignatureMessage, cosignCheckpoint, openCosignatures, verifyCosignature } from '../../../src/core/witness/index.js'

const seedKey = (byte: number) => createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, byte)]), format: 'der', type: 'pkcs8'
})
const witnessKey = seedKey(7)
const witnessName = 'witness.example/w1'
const witnessVkey = formatCosignatureVerifierKey(witnessName, publicKeyBytes(witnessKey))
const body = formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64') })

t.test('the signed message is the spec\'s example, byte for byte', async t => {
  // https://c2sp.org/tlog-cosignature, "Ed25519 signed message".
  t.equal(cosignatureMessage(body, 1679315147).toString('utf8'),
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n')
  t.equal(cosignatureMessage(`${body}ext line\n`, 0).toString('utf8'), `cosignature/v1\ntime 0\n${body}ext line\n`, 'extension lines are signed too')
  for (const [text, time] of [[body, -1], [body, 1.5], [body, 2 ** 53], ['not a checkpoint\n', 1], [body.slice(0, -1), 1], [`${body}\n`, 1]] as const) {
    t.throws(() => cosignatureMessage(text, time), NoteVerificationError, `${JSON.stringify(text).slice(0, 30)} at ${time}`)
  }
})

t.test('the spec\'s example cosignature line: key ID and timestamp where the format puts them', async t => {
  const line = parseSignatureLine('\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==')
  t.ok(line)
  t.equal(line?.name, 'witness.example.com/w1')
  t.equal(line?.signature.length, 72, 'timestamp (8) and Ed25519 signature (64)')
  t.equal(Number(line?.signature.readBigUInt64BE(0)), 1679315147, 'the time of the spec\'s signed message example')
  // transparency-dev/formats note_cosigv1_test.go, TestCosignatureTimestamp.
  t.equal(Number(parseSignatureLine('\u2014 w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==')?.signature.readBigUInt64BE(0)), 1727964367)
})

t.test('cosignature verifier keys: type 0x04, key ID over 0x04, never mistaken for a note key', async t => {
  // A native 0x04 key from transparency-dev/formats (TestCoSigV1NewVerifier): its key ID is
  // SHA-256(name || 0x0A || 0x04 || key)[:4].
  const remora = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2'
  const parsed = parseCosignatureVerifierKey(remora)
  t.equal(parsed.type, 'cosignature/v1')
  t.equal(parsed.keyId.toString('hex'), 'da77ade7')
  t.equal(formatCosignatureVerifierKey(parsed.name, parsed.publicKey), remora, 'round trip')
  t.throws(() => parseVerifierKey(remora), { code: 'AUDIT_ERR_NOTE_KEY', message: /type 0x04 is a witness cosignature key/ }, 'not a log key')

  // A 0x01 key (from the same Go tests) stays a note key, and is not a cosignature key.
  const note = 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6'
  t.equal(parseVerifierKey(note).keyId.toString('hex'), '7997405c')
  t.throws(() => parseCosignatureVerifierKey(note), { message: /type 0x01 is a note signing key/ })
  const { publicKey } = parseVerifierKey(note)
  t.not(cosignatureKeyId('TEST', publicKey).toString('hex'), noteKeyId('TEST', publicKey).toString('hex'), 'one key, two IDs')
  // The same key material in 0x04 form parses, with the other ID.
  t.equal(parseCosignatureVerifierKey(formatCosignatureVerifierKey('TEST', publicKey)).keyId.toString('hex'), cosignatureKeyId('TEST', publicKey).toString('hex'))

  for (const bad of [
    'remora.n621.de+da77ade8+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2', // wrong ID
    'other.name+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2', // ID of another name
    'remora.n621.de+DA77ADE7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2', // upper case
    'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw', // not padded base64
    'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlm', // 31 bytes
    'remora.n621.de+da77ade7+BgvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2', // type 0x06
    'remora.n621.de+da77ade7', '', 'a b+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2'
  ]) t.throws(() => parseCosignatureVerifierKey(bad), NoteKeyError, bad)
  t.throws(() => formatCosignatureVerifierKey('bad name', publicKey), NoteKeyError)
  t.throws(() => formatCosignatureVerifierKey('w', publicKey.subarray(1)), NoteKeyError)
})

t.test('cosign, then verify with the witness\'s verifier key alone', async t => {
  const line = cosignCheckpoint(body, { name: witnessName, privateKey: witnessKey }, 1700000000)
  t.match(line, /^\u2014 witness\.example\/w1 [A-Za-z0-9+/]+=*\n$/)
  const key = parseCosignatureVerifierKey(witnessVkey)
  t.same(verifyCosignature(body, line, key), { name: witnessName, timestamp: 1700000000 })
  t.same(verifyCosignature(body, line.slice(0, -1), key), { name: witnessName, timestamp: 1700000000 }, 'without its newline too')
  // Ed25519 is deterministic: the same key, body and time always give these bytes.
  t.equal(line, cosignCheckpoint(body, { name: witnessName, privateKey: witnessKey }, 1700000000))

  const other = formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852164, rootHash: Buffer.alloc(32, 1) })
  t.throws(() => verifyCosignature(other, line, key), { name: 'NoteVerificationError', reason: 'bad-signature' }, 'another checkpoint')
  t.throws(() => verifyCosignature(`${body}ext\n`, line, key), { name: 'NoteVerificationError', reason: 'bad-signature' }, 'an extension line added')
  const blob = Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64')
  const withTime = (time: bigint) => { const b = Buffer.from(blob); b.writeBigUInt64BE(time, 4); return `\u2014 ${witnessName} ${b.toString('base64')}` }
  t.throws(() => verifyCosignature(body, withTime(1700000001n), key), { name: 'NoteVerificationError', reason: 'bad-signature' }, 'the timestamp is signed')
  t.throws(() => verifyCosignature(body, withTime(2n ** 63n), key), { name: 'NoteVerificationError', reason: 'malformed' }, 'a timestamp over 2^63 - 1')
  t.throws(() => verifyCosignature(body, `\u2014 ${witnessName} ${blob.subarray(0, 70).toString('base64')}`, key), { name: 'NoteVerificationError', reason: 'bad-signature' }, 'truncated')
  t.throws(() => verifyCosignature(body, 'garbage', key), { name: 'NoteVerificationError', reason: 'malformed' })
  const stranger = parseCosignatureVerifierKey(formatCosignatureVerifierKey(witnessName, publicKeyBytes(seedKey(8))))
  t.throws(() => verifyCosignature(body, line, stranger), { name: 'NoteVerificationError', reason: 'unverified' }, 'another key of the same name')

  // A note signature by the same key is no cosignature, and a cosignature no note signature.
  const noteLine = signNote(body, { name: witnessName, privateKey: witnessKey }).slice(body.length + 1)
  t.throws(() => verifyCosignature(body, noteLine, key), { name: 'NoteVerificationError', reason: 'unverified' }, 'key IDs differ by type')
  const noteKey = parseVerifierKey(formatVerifierKey(witnessName, publicKeyBytes(witnessKey)))
  t.throws(() => openNote(`${body}\n${line}`, [noteKey]), { name: 'NoteVerificationError', reason: 'unverified' }, 'openNote ignores a cosignature')
  t.throws(() => verifyCosignature(body, line, noteKey as never), { name: 'NoteVerificationError', reason: 'unverified' }, 'a note key is refused')
})

t.test('openCosignatures: the trusted witnesses that cosigned a note, others ignored', async t => {
  const { privateKey: logKey } = generateKeyPairSync('ed25519')
  const signed = signNote(body, { name: 'example.com/behind-the-sofa', privateKey: logKey })
  const w2Key = seedKey(9)
  const w2 = formatCosignatureVerifierKey('witness.example/w2', publicKeyBytes(w2Key))
  const unknown = cosignCheckpoint(body, { name: 'witness.example/w3', privateKey: seedKey(10) }, 5)
  const note = signed +
    cosignCheckpoint(body, { name: witnessName, privateKey: witnessKey }, 1) +
    unknown +
    cosignCheckpoint(body, { name: 'witness.example/w2', privateKey: w2Key }, 2)
  const keys = [parseCosignatureVerifierKey(witnessVkey), parseCosignatureVerifierKey(w2)]
  const opened = openCosignatures(note, keys)
  t.equal(opened.text, body)
  t.same(opened.cosignatures, [{ name: witnessName, timestamp: 1 }, { name: 'witness.example/w2', timestamp: 2 }])
  t.same(openCosignatures(note, []).cosignatures, [])
  t.same(openNote(note, [parseVerifierKey(formatVerifierKey('example.com/behind-the-sofa', publicKeyBytes(logKey)))]).text, body, 'the log\'s signature still opens')

  const forged = signed + cosignCheckpoint(formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 1, rootHash: Buffer.alloc(32) }), { name: witnessName, privateKey: witnessKey }, 1)
  t.throws(() => openCosignatures(forged, keys), { name: 'NoteVerificationError', reason: 'bad-signature' }, 'a trusted witness\'s line for another checkpoint')
  t.throws(() => openCosignatures(body, keys), { name: 'NoteVerificationError', reason: 'malformed' })
  t.throws(() => openCosignatures(`${signed}\u2014 nope\n`, keys), { name: 'NoteVerificationError', reason: 'malformed' })
})
