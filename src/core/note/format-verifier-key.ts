import { keyNameProblem } from './key-name-problem.js'
import { NoteKeyError } from './note-key-error.js'
import { noteKeyId } from './note-key-id.js'

/**
 * Verifier key string `<name>+<hex key id>+<base64(0x01 || publicKey)>`,
 * the form used by golang.org/x/mod/sumdb/note and C2SP tooling.
 *
 * @throws {NoteKeyError} on an invalid name or a key that is not 32 bytes.
 */
export function formatVerifierKey (name: string, publicKey: Uint8Array): string {
  const problem = keyNameProblem(name)
  if (problem !== undefined) throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}: ${problem}`)
  if (publicKey.length !== 32) throw new NoteKeyError(`ed25519 public key must be 32 bytes, got ${publicKey.length}`)
  const material = Buffer.concat([Buffer.from([0x01]), publicKey]).toString('base64')
  return `${name}+${noteKeyId(name, publicKey).toString('hex')}+${material}`
}
