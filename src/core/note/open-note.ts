import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { ParsedVerifierKey } from './parsed-verifier-key.js'
import { NoteVerificationError } from './note-verification-error.js'
import { parseSignatureLine, SIGNATURE_LINE_PREFIX } from './parse-signature-line.js'
import { malformedNote, splitSignedNote } from './split-signed-note.js'

/** Result of {@link openNote}. */
export interface OpenedNote {
  /** The signed text, including its final newline. */
  text: string
  /** Names of the trusted keys whose signatures verified. */
  verifiedBy: string[]
}

// A verifier checks thousands of notes with the same few keys: building the key object from JWK
// was about a tenth of each check.
// Keyed by the key's bytes, not the object, so a changed key can never hit a stale entry.
const keyObjects = new Map<string, KeyObject>()
const MAX_CACHED_KEYS = 64

function toKeyObject (key: ParsedVerifierKey): KeyObject {
  const x = key.publicKey.toString('base64url')
  let object = keyObjects.get(x)
  if (object === undefined) {
    object = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' })
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear()
    keyObjects.set(x, object)
  }
  return object
}

function checkSignature (key: ParsedVerifierKey, text: Buffer, sig: Buffer): boolean {
  try {
    return sig.length === 64 && verify(null, text, toKeyObject(key), sig)
  } catch {
    return false // an unusable configured key verifies nothing
  }
}

/**
 * Verifies a C2SP signed note against trusted Ed25519 keys and returns its text.
 * Signatures from unknown keys (name and key ID not both matching) are
 * ignored, as the spec requires, so co-signers and rotated keys can coexist.
 *
 * @throws {NoteVerificationError} when the note is malformed (`malformed`),
 *   a known key's signature fails (`bad-signature`), or no known key signed
 *   it (`unverified`).
 */
export function openNote (note: string, verifiers: readonly ParsedVerifierKey[]): OpenedNote {
  const { text, lines } = splitSignedNote(note)

  const textBytes = Buffer.from(text, 'utf8')
  const verified = new Set<ParsedVerifierKey>()
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) throw malformedNote('signature line must start with an em dash and a space')
    const parsed = parseSignatureLine(line)
    if (parsed === null) throw malformedNote('bad signature line')
    const { name, keyId: id, signature: sig } = parsed
    const known = verifiers.filter((v) => v.name === name && v.keyId.equals(id) && !verified.has(v))
    if (known.length === 0) continue
    const ok = known.find((v) => checkSignature(v, textBytes, sig))
    if (ok === undefined) {
      throw new NoteVerificationError('bad-signature', `signature by known key ${name}+${id.toString('hex')} does not verify`)
    }
    verified.add(ok)
  }
  if (verified.size === 0) throw new NoteVerificationError('unverified', 'note has no valid signature from a trusted key')
  return { text, verifiedBy: [...new Set([...verified].map((v) => v.name))] }
}
