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
 * Signs `text` as a C2SP signed note with one or several Ed25519 keys. Returns
 * `text + '\n'` followed by one `— <name> <base64(keyId || signature)>\n` line per signer, in
 * the order given (a key rotation's current key first, then the incoming one), each signature
 * covering exactly the UTF-8 bytes of `text`. Ed25519 is deterministic, so the same text and
 * signers always give the same note. A signer given twice (same name and key) signs once.
 *
 * @throws {NoteVerificationError} (reason `malformed`) if `text` does not end
 *   in a newline or contains control characters or lone surrogates.
 * @throws {NoteKeyError} if there is no signer, or a name or key is unusable.
 */
export function signNote (text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  if (typeof text !== 'string' || !text.endsWith('\n') || !hasValidNoteChars(text)) {
    throw new NoteVerificationError('malformed', 'note text must end with a newline and contain no control characters')
  }
  const list = Array.isArray(signers) ? signers as readonly NoteSigner[] : [signers as NoteSigner]
  if (list.length === 0) throw new NoteKeyError('signing needs at least one key')
  const bytes = Buffer.from(text, 'utf8')
  const lines: string[] = []
  const seen = new Set<string>()
  for (const signer of list) {
    const problem = keyNameProblem(signer.name)
    if (problem !== undefined) throw new NoteKeyError(`invalid key name ${JSON.stringify(signer.name)}: ${problem}`)
    if (signer.privateKey.type !== 'private') throw new NoteKeyError('signing needs a private key')
    const keyId = noteKeyId(signer.name, publicKeyBytes(signer.privateKey))
    const line = `\u2014 ${signer.name} ${Buffer.concat([keyId, sign(null, bytes, signer.privateKey)]).toString('base64')}\n`
    if (seen.has(line)) continue
    seen.add(line)
    lines.push(line)
  }
  return `${text}\n${lines.join('')}`
}
