import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import {
  NoteKeyError,
  NoteVerificationError,
  formatVerifierKey,
  noteKeyId,
  openNote,
  parseVerifierKey,
  publicKeyBytes,
  signNote,
} from '../../../src/core/note/index.js'

// Vector from golang.org/x/mod/sumdb/note (package docs and note_test.go).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
const PETER_NOTE =
  PETER_TEXT +
  '\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'
// Another key from the same tests, used as an unrelated co-signer.
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop'

function peterPrivateKey () {
  const seed = Buffer.from(PETER_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1)
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
}

t.test('Go sumdb/note vector: key id, verifier key, signing and opening', async (t) => {
  const peter = parseVerifierKey(PETER_VKEY)
  t.equal(peter.name, 'PeterNeumann')
  t.equal(peter.keyId.toString('hex'), 'c74f20a3')
  const priv = peterPrivateKey()
  t.ok(publicKeyBytes(priv).equals(peter.publicKey), 'seed yields the published public key')
  t.ok(noteKeyId('PeterNeumann', peter.publicKey).equals(peter.keyId))
  const manual = createHash('sha256')
    .update(Buffer.concat([Buffer.from('PeterNeumann\n'), Buffer.from([1]), peter.publicKey]))
    .digest()
    .subarray(0, 4)
  t.ok(noteKeyId('PeterNeumann', peter.publicKey).equals(manual), 'key id per spec formula')
  t.equal(formatVerifierKey('PeterNeumann', peter.publicKey), PETER_VKEY)
  t.equal(signNote(PETER_TEXT, { name: 'PeterNeumann', privateKey: priv }), PETER_NOTE, 'Ed25519 is deterministic')
  t.same(openNote(PETER_NOTE, [peter]), { text: PETER_TEXT, verifiedBy: ['PeterNeumann'] })
  t.throws(() => openNote(PETER_NOTE.replace('cryptography', 'cryptographY'), [peter]), {
    name: 'NoteVerificationError',
    code: 'AUDIT_ERR_NOTE',
    reason: 'bad-signature',
  })
})

t.test('round trip with a generated key, tampering and wrong keys', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const other = generateKeyPairSync('ed25519')
  const name = 'audit.example/log'
  const vkey = parseVerifierKey(formatVerifierKey(name, publicKeyBytes(publicKey)))
  const wrong = parseVerifierKey(formatVerifierKey(name, publicKeyBytes(other.publicKey)))
  const text = 'audit.example/log\n3\nAAAA\n\nwith a blank line\n'
  const note = signNote(text, { name, privateKey })
  t.same(openNote(note, [vkey]), { text, verifiedBy: [name] }, 'text may contain blank lines')
  t.throws(() => openNote(note.replace('3', '4'), [vkey]), { name: 'NoteVerificationError', reason: 'bad-signature' }, 'tampered text')
  t.throws(() => openNote(note, [wrong]), { name: 'NoteVerificationError', reason: 'unverified' }, 'same name, other key: ignored, so unverified')
  t.throws(() => openNote(note, []), NoteVerificationError)

  // Unknown co-signatures are ignored; known ones all count.
  const cosigned = note + signNote(text, { name: 'witness.example', privateKey: other.privateKey }).slice(text.length + 1)
  t.same(openNote(cosigned, [vkey]).verifiedBy, [name])
  const witness = parseVerifierKey(formatVerifierKey('witness.example', publicKeyBytes(other.publicKey)))
  t.same(openNote(cosigned, [vkey, witness]).verifiedBy, [name, 'witness.example'])
  t.same(openNote(cosigned, [witness, parseVerifierKey(ENOCH_VKEY)]).verifiedBy, ['witness.example'])
})

t.test('malformed notes are rejected', async (t) => {
  const peter = parseVerifierKey(PETER_VKEY)
  const [, sigLine] = PETER_NOTE.split('\n\n')
  const bad = [
    ['no blank line', PETER_TEXT + (sigLine ?? '')],
    ['no trailing newline', PETER_NOTE.slice(0, -1)],
    ['hyphen instead of em dash', PETER_NOTE.replace('\u2014', '-')],
    ['non-canonical base64', PETER_NOTE.replace('AM=\n', 'AN=\n')],
    ['control character', PETER_NOTE.replace('problem,', 'problem\t')],
    ['empty signature', `${PETER_TEXT}\n\u2014 PeterNeumann \n`],
    ['short signature', `${PETER_TEXT}\n\u2014 PeterNeumann AAAA\n`],
  ] as const
  for (const [what, note] of bad) t.throws(() => openNote(note, [peter]), { name: 'NoteVerificationError', reason: 'malformed' }, what)
  t.throws(() => openNote(`${PETER_TEXT}\n\u2014 PeterNeumann AAAAAAA=\n`, [peter]), { name: 'NoteVerificationError', reason: 'unverified' }, 'unknown id')
})

t.test('signNote input rules', async (t) => {
  const privateKey = peterPrivateKey()
  t.throws(() => signNote('no newline', { name: 'a', privateKey }), { name: 'NoteVerificationError', reason: 'malformed' })
  t.throws(() => signNote('ctl\r\n', { name: 'a', privateKey }), { name: 'NoteVerificationError', reason: 'malformed' })
  t.throws(() => signNote('ok\n', { name: 'has space', privateKey }), NoteKeyError)
  t.throws(() => signNote('ok\n', { name: 'a', privateKey: createPublicKey(privateKey) }), NoteKeyError)
})

t.test('verifier key parsing is strict', async (t) => {
  const bad = [
    'PeterNeumann+c74f20a3',
    'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // id mismatch
    'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+AhpcZQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // alg byte 0x02
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', // truncated
    'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  ]
  for (const k of bad) t.throws(() => parseVerifierKey(k), { code: 'AUDIT_ERR_NOTE_KEY' }, k)
  // Base64 containing '+' must survive the '+'-delimited format.
  const plus = parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6')
  t.equal(formatVerifierKey(plus.name, plus.publicKey), 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6')
  t.throws(() => publicKeyBytes(generateKeyPairSync('x25519').publicKey), NoteKeyError)
})
