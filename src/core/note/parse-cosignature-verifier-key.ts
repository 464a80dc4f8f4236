import { cosignatureKeyId } from './cosignature-key-id.js'
import type { ParsedCosignatureVerifierKey } from './parsed-cosignature-verifier-key.js'
import { readVerifierKey } from './read-verifier-key.js'

export type { ParsedCosignatureVerifierKey } from './parsed-cosignature-verifier-key.js'

/**
 * Parses a witness's verifier key `<name>+<hex key id>+<base64(0x04 || publicKey)>`
 * (C2SP tlog-cosignature, Ed25519 cosignature/v1).
 *
 * Only type 0x04: a log's note key (0x01) is refused here as a cosignature key is refused by
 * `parseVerifierKey`, so a configuration cannot mistake a log for a witness or the other way
 * round (golang's transparency-dev/formats converts a 0x01 key silently; being explicit costs
 * an operator one `witness keygen` line).
 *
 * @throws {NoteKeyError} when malformed, of another type, or when the key ID does not match
 *   the name and key.
 */
export function parseCosignatureVerifierKey (s: string): ParsedCosignatureVerifierKey {
  const key = readVerifierKey(s, {
    type: 0x04,
    keyId: cosignatureKeyId,
    otherKind: { type: 0x01, message: 'type 0x01 is a note signing key (a log\'s key), not a witness cosignature key (type 0x04)' },
    unsupported: 'unsupported cosignature key type'
  })
  return { type: 'cosignature/v1', ...key }
}
