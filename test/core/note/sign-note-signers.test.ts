import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { formatVerifierKey, openNote, parseVerifierKey, publicKeyBytes, signNote } from '../../../src/core/note/index.js'

const text = 'example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'
const keyNamed = (name: string) => {
  const { privateKey } = generateKeyPairSync('ed25519')
  return { name, privateKey, verifier: parseVerifierKey(formatVerifierKey(name, publicKeyBytes(privateKey))) }
}

t.test('several signers: one line each, in the order given, each verifiable alone', async t => {
  const current = keyNamed('example.com/log')
  const next = keyNamed('example.com/log')
  const note = signNote(text, [current, next])
  const lines = note.slice(text.length + 1).split('\n').slice(0, -1)
  t.equal(lines.length, 2)
  t.equal(note, signNote(text, [current, next]), 'deterministic')
  t.equal(lines[0], signNote(text, current).slice(text.length + 1, -1), 'the current key\'s line first')
  t.equal(lines[1], signNote(text, next).slice(text.length + 1, -1))
  t.same(openNote(note, [current.verifier]).verifiedBy, ['example.com/log'], 'a verifier of the old key alone')
  t.same(openNote(note, [next.verifier]).verifiedBy, ['example.com/log'], 'a verifier of the new key alone')
  t.equal(openNote(note, [current.verifier, next.verifier]).text, text)
  t.equal(signNote(text, [current, current]), signNote(text, current), 'the same signer twice signs once')
  t.equal(signNote(text, [current]), signNote(text, current), 'an array of one is the single form')
  t.throws(() => signNote(text, []), /at least one key/)
  t.throws(() => signNote(text, [current, { ...next, name: 'bad name' }]), /invalid key name/)
})

t.test('the same key material under two names: two key ids, neither name opens the other\'s note', async t => {
  const a = keyNamed('audit.example/alpha')
  const b = { ...a, name: 'audit.example/beta', verifier: parseVerifierKey(formatVerifierKey('audit.example/beta', a.verifier.publicKey)) }
  t.not(a.verifier.keyId.toString('hex'), b.verifier.keyId.toString('hex'))
  const note = signNote(text, a)
  t.throws(() => openNote(note, [b.verifier]), /no valid signature/)
})
