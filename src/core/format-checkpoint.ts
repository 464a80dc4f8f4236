import type { CheckpointBody } from './checkpoint-body.js'
import { CheckpointFormatError } from './checkpoint-format-error.js'

/**
 * Checkpoint note text: `origin\nsize\nbase64(rootHash)\n`, ready for `signNote`.
 *
 * @throws {CheckpointFormatError} on an empty or multi-line origin, a size
 *   that is not a non-negative safe integer, or a root that is not 32 bytes.
 */
export function formatCheckpoint({ origin, size, rootHash }: CheckpointBody): string {
  if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n')) {
    throw new CheckpointFormatError('origin must be a non-empty single line')
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new CheckpointFormatError(`invalid tree size ${String(size)}`)
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) {
    throw new CheckpointFormatError('root hash must be 32 bytes')
  }
  return `${origin}\n${size}\n${Buffer.from(rootHash).toString('base64')}\n`
}
