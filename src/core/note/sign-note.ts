import { sign } from 'node:crypto'
import { hasValidNoteChars } from './has-valid-note-chars.js'
import { keyNameProblem } from './key-name-problem.js'
import { NoteKeyError } from './note-key-error.js'
import { noteKeyId } from './note-key-id.js'
import type { NoteSigner } from './note-signer.js'
import { NoteVerificationError } from './note-verification-error.js'
import { publicKeyBytes } from './public-key-bytes.js'

export type { NoteSigner } from './note-signer.js'

/**
 * Signs `text` as a C2SP signed note with one Ed25519 key. Returns
 * `text + '\n' + '— <name> <base64(keyId || signature)>\n'`, where the
 * signature covers exactly the UTF-8 bytes of `text`.
 *
 * @throws {NoteVerificationError} (reason `malformed`) if `text` does not end
 *   in a newline or contains control characters or lone surrogates.
 * @throws {NoteKeyError} if the name or key is unusable.
 */
export function signNote (text: string, signer: NoteSigner): string {
  if (typeof text !== 'string' || !text.endsWith('\n') || !hasValidNoteChars(text)) {
    throw new NoteVerificationError('malformed', 'note text must end with a newline and contain no control characters')
  }
  const problem = keyNameProblem(signer.name)
  if (problem !== undefined) throw new NoteKeyError(`invalid key name ${JSON.stringify(signer.name)}: ${problem}`)
  if (signer.privateKey.type !== 'private') throw new NoteKeyError('signing needs a private key')
  const keyId = noteKeyId(signer.name, publicKeyBytes(signer.privateKey))
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey)
  return `${text}\n\u2014 ${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`
}
