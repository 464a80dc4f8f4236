import { decodeBase64 } from './decode-base64.js'
import { isValidKeyName } from './is-valid-key-name.js'
import { NoteKeyError } from './note-key-error.js'
import { noteKeyId } from './note-key-id.js'
import type { ParsedVerifierKey } from './parsed-verifier-key.js'

export type { ParsedVerifierKey } from './parsed-verifier-key.js'

const KEY_ID_HEX = /^[0-9a-f]{8}$/

/**
 * Parses `<name>+<hex key id>+<base64(0x01 || publicKey)>`.
 *
 * @throws {NoteKeyError} when malformed, not Ed25519 (type byte 0x01), or
 *   when the key ID does not match the name and key (a typo'd or spliced key
 *   must not silently become trusted).
 */
export function parseVerifierKey (s: string): ParsedVerifierKey {
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
  if (material[0] === 0x04) throw new NoteKeyError('type 0x04 is a witness cosignature key (cosignature/v1), not a note signing key (type 0x01)')
  if (material[0] !== 0x01) throw new NoteKeyError(`unsupported signature type 0x${material[0]?.toString(16)}`)
  if (material.length !== 33) throw new NoteKeyError('ed25519 public key must be 32 bytes')
  const publicKey = material.subarray(1)
  const keyId = noteKeyId(name, publicKey)
  if (keyId.toString('hex') !== idHex) throw new NoteKeyError('key id does not match name and public key')
  return { name, keyId, publicKey }
}
