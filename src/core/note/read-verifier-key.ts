import { decodeBase64 } from './decode-base64.js'
import { isValidKeyName } from './is-valid-key-name.js'
import { NoteKeyError } from './note-key-error.js'

const KEY_ID_HEX = /^[0-9a-f]{8}$/

/** What one kind of verifier key is: its type byte, how its key id is made, how to refuse others. */
export interface VerifierKeyKind {
  type: number
  keyId: (name: string, publicKey: Buffer) => Buffer
  /** The message for a key of the other kind (a log's key given as a witness's, or the reverse). */
  otherKind: { type: number, message: string }
  /** Starts the message for any other type byte, e.g. `unsupported signature type`. */
  unsupported: string
}

/**
 * Reads `<name>+<hex key id>+<base64(type || publicKey)>` for an Ed25519 key of one kind: the
 * checks are the same for a log's note key (0x01) and a witness's cosignature key (0x04).
 *
 * @throws {NoteKeyError} when malformed, of another type, or when the key id does not match the
 *   name and key (a typo'd or spliced key must not silently become trusted).
 */
export function readVerifierKey (s: string, kind: VerifierKeyKind): { name: string, keyId: Buffer, publicKey: Buffer } {
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
  if (material[0] === kind.otherKind.type) throw new NoteKeyError(kind.otherKind.message)
  if (material[0] !== kind.type) throw new NoteKeyError(`${kind.unsupported} 0x${material[0]?.toString(16)}`)
  if (material.length !== 33) throw new NoteKeyError('ed25519 public key must be 32 bytes')
  const publicKey = material.subarray(1)
  const keyId = kind.keyId(name, publicKey)
  if (keyId.toString('hex') !== idHex) throw new NoteKeyError('key id does not match name and public key')
  return { name, keyId, publicKey }
}
