import { cosignatureKeyId } from './cosignature-key-id.js'
import { keyNameProblem } from './key-name-problem.js'
import { NoteKeyError } from './note-key-error.js'

/**
 * A witness's verifier key `<name>+<hex key id>+<base64(0x04 || publicKey)>`: the C2SP
 * tlog-cosignature (cosignature/v1, Ed25519) form that witness configurations list.
 *
 * @throws {NoteKeyError} on an invalid name or a key that is not 32 bytes.
 */
export function formatCosignatureVerifierKey (name: string, publicKey: Uint8Array): string {
  const problem = keyNameProblem(name)
  if (problem !== undefined) throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}: ${problem}`)
  if (publicKey.length !== 32) throw new NoteKeyError(`ed25519 public key must be 32 bytes, got ${publicKey.length}`)
  const material = Buffer.concat([Buffer.from([0x04]), publicKey]).toString('base64')
  return `${name}+${cosignatureKeyId(name, publicKey).toString('hex')}+${material}`
}
