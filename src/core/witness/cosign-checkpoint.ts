import { sign } from 'node:crypto'
import { cosignatureKeyId, keyNameProblem, NoteKeyError, publicKeyBytes, type NoteSigner } from '../note/index.js'
import { cosignatureMessage } from './cosignature-message.js'

/**
 * A witness's cosignature/v1 on a checkpoint (C2SP tlog-cosignature, Ed25519): the note
 * signature line `— <name> base64(keyID || timestamp || signature)\n`, with the key ID of a
 * type 0x04 key, the timestamp as 8 big-endian bytes, and the Ed25519 signature of
 * {@link cosignatureMessage}. The line ends with its newline: lines concatenate into a
 * tlog-witness answer, or onto a signed note's signature block.
 *
 * @param checkpointText - the checkpoint body (note text without signatures).
 * @param timeSeconds - POSIX seconds the witness states this was the largest tree it saw.
 * @throws {NoteVerificationError} (`malformed`) when the text is not a checkpoint body.
 * @throws {NoteKeyError} on an unusable name or key.
 */
export function cosignCheckpoint (checkpointText: string, signer: NoteSigner, timeSeconds: number): string {
  const message = cosignatureMessage(checkpointText, timeSeconds)
  const problem = keyNameProblem(signer.name)
  if (problem !== undefined) throw new NoteKeyError(`invalid key name ${JSON.stringify(signer.name)}: ${problem}`)
  if (signer.privateKey.type !== 'private') throw new NoteKeyError('cosigning needs a private key')
  const keyId = cosignatureKeyId(signer.name, publicKeyBytes(signer.privateKey))
  const time = Buffer.alloc(8)
  time.writeBigUInt64BE(BigInt(timeSeconds))
  const signature = sign(null, message, signer.privateKey)
  return `\u2014 ${signer.name} ${Buffer.concat([keyId, time, signature]).toString('base64')}\n`
}
