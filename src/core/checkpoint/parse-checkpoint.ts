import type { ParsedCheckpoint } from './checkpoint-body.js'
import { CheckpointFormatError } from './checkpoint-format-error.js'
import { decodeBase64 } from '../note/index.js'
import { ORIGIN } from './format-checkpoint.js'

const DECIMAL = /^(?:0|[1-9][0-9]*)$/

/**
 * Strictly parses checkpoint note text (the output of `openNote`, not the
 * signed note). Strictness matters: a checkpoint must have exactly one
 * textual form, or two logs could disagree about the same signed bytes.
 *
 * @throws {CheckpointFormatError} unless the text is at least three non-empty
 *   newline-terminated lines: origin (no whitespace), decimal size without leading zeros,
 *   base64 32-byte root, then optional non-empty extension lines.
 */
export function parseCheckpoint (text: string): ParsedCheckpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) {
    throw new CheckpointFormatError('checkpoint must end with a newline')
  }
  const lines = text.slice(0, -1).split('\n')
  const [origin, sizeLine, rootLine, ...extensions] = lines
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    throw new CheckpointFormatError('checkpoint needs origin, size and root lines')
  }
  if (lines.some((l) => l.length === 0)) throw new CheckpointFormatError('checkpoint lines must be non-empty')
  if (!ORIGIN.test(origin)) throw new CheckpointFormatError('checkpoint origin must not contain spaces or other whitespace')
  const size = Number(sizeLine)
  if (!DECIMAL.test(sizeLine) || !Number.isSafeInteger(size)) {
    throw new CheckpointFormatError(`invalid tree size ${JSON.stringify(sizeLine)}`)
  }
  const rootHash = decodeBase64(rootLine)
  if (rootHash === null || rootHash.length !== 32) {
    throw new CheckpointFormatError('root hash must be base64 of 32 bytes')
  }
  return { origin, size, rootHash, extensions }
}
