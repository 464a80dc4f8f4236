import { cosignatureKeyId } from './cosignature-key-id.js'
import { decodeBase64 } from './decode-base64.js'
import { isValidKeyName } from './is-valid-key-name.js'
import { NoteKeyError } from './note-key-error.js'
import type { ParsedCosignatureVerifierKey } from './parsed-cosignature-verifier-key.js'

export type { ParsedCosignatureVerifierKey } from './parsed-cosignature-verifier-key.js'

const KEY_ID_HEX = /^[0-9a-f]{8}$/

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
  if (typeof s !== 'string') throw new NoteKeyError('verifier key must be a string')
  // Split on the first two '+' only: standard base64 may itself contain '+'.
  const first = s.indexOf('+')
  const second = first < 0 ? -1 : s.indexOf('+', first + 1)
  if (second < 0) throw new NoteKeyError('verifier key must look like name+keyid+key')
  const name = s.slice(0, first)
  const idHex = s.slice(first + 1, second)
  const material = decodeBase64(s.slice(second + 1))
  if (!isValidKeyName(name)) throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}`)
  if (!KEY_ID_HEX.test(idHex)) throw new NoteKeyError('key id must be 8 lowercase hex digits')
  if (material === null || material.length === 0) throw new NoteKeyError('key material is not valid base64')
  if (material[0] === 0x01) throw new NoteKeyError('type 0x01 is a note signing key (a log\'s key), not a witness cosignature key (type 0x04)')
  if (material[0] !== 0x04) throw new NoteKeyError(`unsupported cosignature key type 0x${material[0]?.toString(16)}`)
  if (material.length !== 33) throw new NoteKeyError('ed25519 public key must be 32 bytes')
  const publicKey = material.subarray(1)
  const keyId = cosignatureKeyId(name, publicKey)
  if (keyId.toString('hex') !== idHex) throw new NoteKeyError('key id does not match name and public key')
  return { type: 'cosignature/v1', name, keyId, publicKey }
}
