import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { hasValidNoteChars } from './has-valid-note-chars.js'
import { decodeBase64 } from './decode-base64.js'
import { isValidKeyName } from './is-valid-key-name.js'
import type { ParsedVerifierKey } from './parsed-verifier-key.js'
import { NoteVerificationError } from './note-verification-error.js'

const SIG_PREFIX = '\u2014 '
// The spec asks verifiers to cap signatures (and to accept at least 16).
const MAX_SIGNATURES = 100

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
  const malformed = (why: string): NoteVerificationError => new NoteVerificationError('malformed', `malformed note: ${why}`)
  if (typeof note !== 'string' || !hasValidNoteChars(note)) throw malformed('invalid characters')
  // The text may contain blank lines; the LAST one separates the signatures.
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw malformed('no blank line before signatures')
  const text = note.slice(0, split + 1)
  const block = note.slice(split + 2)
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('signature block must end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_SIGNATURES) throw malformed('too many signatures')

  const textBytes = Buffer.from(text, 'utf8')
  const verified = new Set<ParsedVerifierKey>()
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw malformed('signature line must start with an em dash and a space')
    const rest = line.slice(SIG_PREFIX.length)
    const space = rest.indexOf(' ')
    const name = rest.slice(0, space)
    const blob = space < 0 ? null : decodeBase64(rest.slice(space + 1))
    if (!isValidKeyName(name) || blob === null || blob.length < 5) throw malformed('bad signature line')
    const id = blob.subarray(0, 4)
    const sig = blob.subarray(4)
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
