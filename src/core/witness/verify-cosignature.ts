import { createPublicKey, verify } from 'node:crypto'
import { NoteVerificationError, parseSignatureLine, type ParsedCosignatureVerifierKey } from '../note/index.js'
import { cosignatureMessage, MAX_COSIGNATURE_TIME } from './cosignature-message.js'

/** What a verified cosignature states. */
export interface VerifiedCosignature {
  /** The witness's key name. */
  name: string
  /** POSIX seconds at which the witness cosigned. */
  timestamp: number
}

/**
 * Checks one cosignature/v1 line (C2SP tlog-cosignature, Ed25519) on a checkpoint body with
 * one witness key.
 *
 * @param checkpointText - the checkpoint body (note text without signatures).
 * @param line - `— <name> <base64>`, with or without its final newline.
 * @throws {NoteVerificationError} `malformed` (not a signature line, or a timestamp over
 *   2^53 - 1), `unverified` (the line is from another key: name or key ID differ) or
 *   `bad-signature` (this key's signature does not verify on this checkpoint).
 */
export function verifyCosignature (checkpointText: string, line: string, key: ParsedCosignatureVerifierKey): VerifiedCosignature {
  const parsed = parseSignatureLine(typeof line === 'string' && line.endsWith('\n') ? line.slice(0, -1) : line)
  if (parsed === null) throw new NoteVerificationError('malformed', 'not a note signature line')
  if (key?.type !== 'cosignature/v1') throw new NoteVerificationError('unverified', 'the key is not a witness cosignature key')
  if (parsed.name !== key.name || !parsed.keyId.equals(key.keyId)) {
    throw new NoteVerificationError('unverified', `the line is signed by ${parsed.name}+${parsed.keyId.toString('hex')}, not by ${key.name}+${key.keyId.toString('hex')}`)
  }
  const bad = (why: string): NoteVerificationError => new NoteVerificationError('bad-signature', `cosignature by ${key.name}+${key.keyId.toString('hex')} ${why}`)
  // timestamp (8) || Ed25519 signature (64)
  if (parsed.signature.length !== 72) throw bad(`has ${parsed.signature.length} bytes after the key ID, not 72`)
  const time = parsed.signature.readBigUInt64BE(0)
  if (time > BigInt(MAX_COSIGNATURE_TIME)) throw new NoteVerificationError('malformed', `cosignature timestamp ${time} is out of range`)
  const timestamp = Number(time)
  const message = cosignatureMessage(checkpointText, timestamp)
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url') }, format: 'jwk' })
  if (!verify(null, message, publicKey, parsed.signature.subarray(8))) throw bad('does not verify on this checkpoint')
  return { name: key.name, timestamp }
}
