import { generateKeyPairSync } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { NoteKeyError, formatVerifierKey, isValidKeyName, keyNameProblem, openNote, parseVerifierKey, publicKeyBytes, signNote } from '../../../src/core/note/index.js'
import { CheckpointFormatError, formatCheckpoint, originProblem, parseCheckpoint } from '../../../src/core/checkpoint/index.js'

// The spec's rules, written out by code point rather than with a regular expression, as an
// independent reference. Unicode White_Space is the set Go's unicode.IsSpace reports, which
// golang.org/x/mod/sumdb/note's isValidName refuses.
const WHITE_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000
])
function specAllows (name: string): boolean {
  // Valid UTF-8: a JavaScript string is UTF-16, so a lone surrogate is what cannot be encoded.
  if (Buffer.from(name, 'utf8').toString('utf8') !== name) return false
  const points = [...name].map(c => c.codePointAt(0) ?? 0)
  return points.length > 0 && // non-empty
    points.every(p => !WHITE_SPACE.has(p)) && // no Unicode spaces
    points.every(p => p !== 0x2b) && // no '+'
    points.every(p => p >= 0x20) // a signed note has no control character but newline (a space anyway)
}

// Names drawn mostly from the characters that matter, so every rule is exercised often.
const interesting = fc.constantFrom('a', 'Z', '0', '.', '/', '-', '+', ' ', '\t', '\n', '\r', '\x00', '\x01', '\x1f', '\x7f',
  '\u0085', '\u00a0', '\u1680', '\u2003', '\u2028', '\u202f', '\u3000', '\ufeff', '\u200b', '\u2014', 'é', '\ud83d\ude00', '\ud800', '\udfff')
const names = fc.oneof(
  fc.array(interesting, { maxLength: 8 }).map(cs => cs.join('')),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 8 })
)

t.test('keyNameProblem follows the signed-note rules for key names, and says why', async t => {
  fc.assert(fc.property(names, name => {
    const problem = keyNameProblem(name)
    if (specAllows(name) !== (problem === undefined)) throw new Error(`${JSON.stringify(name)}: ${String(problem)}`)
    return isValidKeyName(name) === (problem === undefined) && originProblem(name) === problem
  }), { numRuns: 5000 })
  t.equal(keyNameProblem('PeterNeumann'), undefined)
  t.equal(keyNameProblem('audit.example.com/acme'), undefined)
  t.equal(keyNameProblem('journal\u00e9/\u2014'), undefined, 'non-ASCII that is no space nor control is fine')
  t.equal(keyNameProblem('a\u007fb'), undefined, 'DEL is no control character to the spec (below U+0020 only)')
  t.equal(keyNameProblem(''), 'must be a non-empty string')
  t.equal(keyNameProblem(undefined), 'must be a non-empty string')
  t.equal(keyNameProblem('a+b'), 'must not contain "+"')
  t.equal(keyNameProblem('audit svc'), 'must not contain spaces or other Unicode whitespace, found U+0020')
  t.equal(keyNameProblem('audit\u0085svc'), 'must not contain spaces or other Unicode whitespace, found U+0085', 'NEL is a space to Go (unicode.IsSpace), though not to \\s')
  t.equal(keyNameProblem('audit\u00a0svc'), 'must not contain spaces or other Unicode whitespace, found U+00A0')
  t.equal(keyNameProblem('audit\x01svc'), 'must not contain control characters, found U+0001: a signed note with one is malformed')
  t.equal(keyNameProblem('audit\ud800svc'), 'must be valid UTF-8 (it has a lone surrogate)')
  t.equal(keyNameProblem('audit\ufeffsvc'), undefined, 'U+FEFF is no Unicode space (\\s says it is)')
})

t.test('the note signer, the verifier-key formatter and the checkpoint formatter refuse what the predicate refuses', async t => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const raw = publicKeyBytes(publicKey)
  const root = Buffer.alloc(32, 7)
  const seen = { accepted: 0, refused: 0 }
  fc.assert(fc.property(names, name => {
    const problem = keyNameProblem(name)
    seen[problem === undefined ? 'accepted' : 'refused']++
    const signed = attempt(() => signNote('text\n', { name, privateKey }))
    const formatted = attempt(() => formatVerifierKey(name, raw))
    const checkpoint = attempt(() => formatCheckpoint({ origin: name, size: 1, rootHash: root }))
    if (problem === undefined) {
      // Accepted names make notes that open, and checkpoints that parse back.
      const key = parseVerifierKey(formatted as string)
      return openNote(signed as string, [key]).verifiedBy[0] === name &&
        parseCheckpoint(checkpoint as string).origin === name
    }
    return signed instanceof NoteKeyError && (signed.message.endsWith(problem)) &&
      formatted instanceof NoteKeyError && formatted.message.endsWith(problem) &&
      checkpoint instanceof CheckpointFormatError && checkpoint.message === `origin ${problem}`
  }), { numRuns: 1000 })
  t.ok(seen.accepted > 100 && seen.refused > 100, `both kinds of names were tried: ${JSON.stringify(seen)}`)
})

function attempt (f: () => string): string | Error {
  try {
    return f()
  } catch (err) {
    return err as Error
  }
}
