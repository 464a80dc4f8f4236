import { decodeBase64 } from '../core/note/index.js'

/** First line of a C2SP tlog-proof (https://c2sp.org/tlog-proof). */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1'

/** The parts of a C2SP tlog-proof. */
export interface TlogProof {
  /** Opaque, unauthenticated extra data; ours is the canonical record `c_n` (docs/hash-chain.md). */
  extra?: Buffer
  /** Zero-based leaf index: `seq - 1`. */
  index: number
  /** RFC 6962 inclusion proof, from the leaf's sibling up to the root's child. */
  proof: Buffer[]
  /** The signed checkpoint note, verbatim. */
  checkpoint: string
}

export class TlogProofFormatError extends Error {
  readonly code = 'AUDIT_ERR_TLOG_PROOF'
  constructor (message: string) {
    super(message)
    this.name = 'TlogProofFormatError'
  }
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/

/**
 * `c2sp.org/tlog-proof@v1\n[extra <base64>\n]index <n>\n<base64 hash>\n…\n\n<checkpoint note>`.
 *
 * @throws {TlogProofFormatError} on a bad index, a hash that is not 32 bytes, or a checkpoint
 *   that is not a newline-terminated note.
 */
export function formatTlogProof (p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new TlogProofFormatError(`invalid index ${String(p.index)}`)
  if (!p.proof.every(h => h.length === 32)) throw new TlogProofFormatError('proof hashes must be 32 bytes')
  if (typeof p.checkpoint !== 'string' || p.checkpoint.length === 0 || !p.checkpoint.endsWith('\n')) throw new TlogProofFormatError('checkpoint must be a signed note ending in a newline')
  const lines = [TLOG_PROOF_HEADER]
  if (p.extra !== undefined && p.extra.length > 0) lines.push(`extra ${p.extra.toString('base64')}`)
  lines.push(`index ${p.index}`, ...p.proof.map(h => h.toString('base64')), '')
  return lines.join('\n') + '\n' + p.checkpoint
}

/**
 * Strictly parses a tlog-proof. Nothing in it is trusted yet: the checkpoint still has to be
 * opened with a trusted key and the proof checked against its root.
 *
 * @throws {TlogProofFormatError}
 */
export function parseTlogProof (text: string): TlogProof {
  if (typeof text !== 'string' || !text.startsWith(TLOG_PROOF_HEADER + '\n')) {
    throw new TlogProofFormatError(`not a tlog-proof: the first line must be ${TLOG_PROOF_HEADER}`)
  }
  const blank = text.indexOf('\n\n')
  if (blank < 0) throw new TlogProofFormatError('no empty line before the checkpoint')
  const head = text.slice(TLOG_PROOF_HEADER.length + 1, blank).split('\n')
  const checkpoint = text.slice(blank + 2)
  if (checkpoint.length === 0 || !checkpoint.endsWith('\n')) throw new TlogProofFormatError('the checkpoint after the empty line is missing or does not end in a newline')

  let extra: Buffer | undefined
  if (head[0]?.startsWith('extra ') === true) {
    const decoded = decodeBase64(head.shift()!.slice('extra '.length))
    if (decoded === null) throw new TlogProofFormatError('extra data is not standard padded base64')
    extra = decoded
  }
  const indexLine = head.shift()
  if (indexLine === undefined || !indexLine.startsWith('index ')) throw new TlogProofFormatError('missing "index <n>" line')
  const indexText = indexLine.slice('index '.length)
  const index = Number(indexText)
  if (!DECIMAL.test(indexText) || !Number.isSafeInteger(index)) throw new TlogProofFormatError(`invalid index ${JSON.stringify(indexText)}`)
  const proof = head.map((line, i) => {
    const hash = decodeBase64(line)
    if (hash === null || hash.length !== 32) throw new TlogProofFormatError(`proof line ${i + 1} is not base64 of a 32-byte hash`)
    return hash
  })
  return { ...(extra !== undefined && { extra }), index, proof, checkpoint }
}
