import type { CheckpointBody } from './checkpoint-body.js'
import { CheckpointFormatError } from './checkpoint-format-error.js'

// C2SP tlog-checkpoint: the origin SHOULD contain no Unicode spaces. We require it: the first
// line of every other note the log key signs (receipts) has spaces, so none of those can be
// read as a checkpoint.
export const ORIGIN = /^\S+$/u

/**
 * Checkpoint note text: `origin\nsize\nbase64(rootHash)\n`, ready for `signNote`.
 *
 * @throws {CheckpointFormatError} on an empty origin or one with whitespace, a size
 *   that is not a non-negative safe integer, or a root that is not 32 bytes.
 */
export function formatCheckpoint ({ origin, size, rootHash }: CheckpointBody): string {
  if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
    throw new CheckpointFormatError('origin must be non-empty, without spaces or other whitespace')
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new CheckpointFormatError(`invalid tree size ${String(size)}`)
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) {
    throw new CheckpointFormatError('root hash must be 32 bytes')
  }
  return `${origin}\n${size}\n${Buffer.from(rootHash).toString('base64')}\n`
}
