import { noteKeyId } from './note-key-id.js'
import type { ParsedVerifierKey } from './parsed-verifier-key.js'
import { readVerifierKey } from './read-verifier-key.js'

export type { ParsedVerifierKey } from './parsed-verifier-key.js'

/**
 * Parses `<name>+<hex key id>+<base64(0x01 || publicKey)>`.
 *
 * @throws {NoteKeyError} when malformed, not Ed25519 (type byte 0x01), or
 *   when the key ID does not match the name and key (a typo'd or spliced key
 *   must not silently become trusted).
 */
export function parseVerifierKey (s: string): ParsedVerifierKey {
  return readVerifierKey(s, {
    type: 0x01,
    keyId: noteKeyId,
    otherKind: { type: 0x04, message: 'type 0x04 is a witness cosignature key (cosignature/v1), not a note signing key (type 0x01)' },
    unsupported: 'unsupported signature type'
  })
}
