import type { KeyObject } from 'node:crypto'
import { NoteKeyError } from './note-key-error.js'

/**
 * Raw 32-byte Ed25519 public key from a public or private KeyObject.
 * The JWK export carries it as `x` for both kinds, so no DER slicing.
 *
 * @throws {NoteKeyError} if the key is not Ed25519.
 */
export function publicKeyBytes (key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new NoteKeyError(`expected an ed25519 key, got ${String(key.asymmetricKeyType ?? key.type)}`)
  }
  const { x } = key.export({ format: 'jwk' })
  const raw = typeof x === 'string' ? Buffer.from(x, 'base64url') : Buffer.alloc(0)
  if (raw.length !== 32) throw new NoteKeyError('ed25519 key export did not yield 32 public key bytes')
  return raw
}
