import { malformedNote, parseSignatureLine, splitSignedNote, type ParsedCosignatureVerifierKey } from '../note/index.js'
import { verifyCosignature, type VerifiedCosignature } from './verify-cosignature.js'

/** Result of {@link openCosignatures}. */
export interface OpenedCosignatures {
  /** The checkpoint body, including its final newline. */
  text: string
  /** One entry per trusted witness whose cosignature verified, in signature order. */
  cosignatures: VerifiedCosignature[]
}

/**
 * The witnesses among `keys` that cosigned a signed checkpoint note. Lines from other keys
 * (the log's own signature, unknown witnesses) are ignored, as C2SP signed-note requires.
 * This checks cosignatures only: open the note with the log's key (`openNote`) as well.
 *
 * @throws {NoteVerificationError} `malformed` for a note that is not a signed note, and
 *   `bad-signature` when a trusted witness's line does not verify (as `openNote` does for a
 *   known key: such a note is not one to pass on).
 */
export function openCosignatures (note: string, keys: readonly ParsedCosignatureVerifierKey[]): OpenedCosignatures {
  const { text, lines } = splitSignedNote(note)
  const cosignatures: VerifiedCosignature[] = []
  const seen = new Set<ParsedCosignatureVerifierKey>()
  for (const line of lines) {
    const parsed = parseSignatureLine(line)
    if (parsed === null) throw malformedNote('bad signature line')
    const key = keys.find(k => k.name === parsed.name && k.keyId.equals(parsed.keyId) && !seen.has(k))
    if (key === undefined) continue
    cosignatures.push(verifyCosignature(text, line, key))
    seen.add(key)
  }
  return { text, cosignatures }
}
