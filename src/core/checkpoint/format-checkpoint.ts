import type { CheckpointBody } from './checkpoint-body.js'
import { CheckpointFormatError } from './checkpoint-format-error.js'
import { originProblem } from './origin-problem.js'

// C2SP tlog-checkpoint: the origin SHOULD contain no Unicode spaces. Parsing requires it: the
// first line of every other note the log key signs (receipts) has spaces, so none of those can
// be read as a checkpoint. Unicode White_Space, as in originProblem (JavaScript's \s differs),
// so that every origin this log signs is one it can parse.
export const ORIGIN = /^\P{White_Space}+$/u

/**
 * Checkpoint note text: `origin\nsize\nbase64(rootHash)\n`, ready for `signNote`.
 *
 * @throws {CheckpointFormatError} on an origin a checkpoint cannot carry ({@link originProblem}), a size
 *   that is not a non-negative safe integer, or a root that is not 32 bytes.
 */
export function formatCheckpoint ({ origin, size, rootHash }: CheckpointBody): string {
  const problem = originProblem(origin)
  if (problem !== undefined) throw new CheckpointFormatError(`origin ${problem}`)
  if (!Number.isSafeInteger(size) || size < 0) throw new CheckpointFormatError(`invalid tree size ${String(size)}`)
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) {
    throw new CheckpointFormatError('root hash must be 32 bytes')
  }
  return `${origin}\n${size}\n${Buffer.from(rootHash).toString('base64')}\n`
}
