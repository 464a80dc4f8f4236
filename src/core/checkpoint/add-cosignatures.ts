import { CheckpointFormatError } from './checkpoint-format-error.js'

const SIGNATURE_LINE = /^\u2014 \S+ \S+$/u

/**
 * The signed note with witnesses' cosignatures appended as further signature lines: C2SP
 * tlog-cosignature carries cosignatures as note signatures, so one note verifies with the
 * log's key and with each witness's key, and a verifier ignores the keys it does not know.
 * A line the note already has is not added again.
 *
 * @example
 * addCosignatures('o\n1\nAAA…=\n\n— log AbC…\n', ['— witness.example/w1 XyZ…'])
 * // 'o\n1\nAAA…=\n\n— log AbC…\n— witness.example/w1 XyZ…\n'
 * @throws {CheckpointFormatError} when the note does not end with a newline or a line is
 *   not one signature line (`— <name> <base64>`, no newline).
 */
export function addCosignatures (note: string, lines: readonly string[]): string {
  if (!note.endsWith('\n')) throw new CheckpointFormatError('a signed note ends with a newline')
  const present = new Set(note.split('\n'))
  let out = note
  for (const line of lines) {
    if (!SIGNATURE_LINE.test(line)) throw new CheckpointFormatError(`not a signature line: ${JSON.stringify(line.slice(0, 80))}`)
    if (present.has(line)) continue
    present.add(line)
    out += `${line}\n`
  }
  return out
}
