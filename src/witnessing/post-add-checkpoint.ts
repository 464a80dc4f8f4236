/**
 * What a witness answered to add-checkpoint (C2SP tlog-witness), sorted by what the log does
 * next: `cosigned` (verify and store the lines), `conflict` (the witness's size differs: retry
 * with a proof from it), or `refused` (count it, log it, try again on a later round).
 */
export type AddCheckpointAnswer =
  | { kind: 'cosigned', lines: string[] }
  | { kind: 'conflict', size: number }
  | { kind: 'refused', outcome: RefusalOutcome, detail: string }

/**
 * Why a witness did not cosign: `forbidden` (403: it does not trust the log's key),
 * `unknown_origin` (404: it does not know the log), `bad_proof` (422), `failed` (any other
 * status, a malformed answer, the network or the timeout). 403 and 404 are configuration
 * problems on one side or the other: retrying soon changes nothing.
 */
export type RefusalOutcome = 'forbidden' | 'unknown_origin' | 'bad_proof' | 'failed'

const SIZE_BODY = /^(0|[1-9][0-9]*)\n$/
/** A witness's answer is a few signature lines or a size: more is not a witness answering. */
const MAX_BODY_BYTES = 64 * 1024

const brief = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)

/**
 * POSTs one add-checkpoint request body to `<url>/add-checkpoint` within `timeoutMs` (the
 * connection, the request and the whole answer), and sorts the answer. Never throws: a
 * witness that is down is an answer like any other.
 */
export async function postAddCheckpoint (url: string, body: string, timeoutMs: number): Promise<AddCheckpointAnswer> {
  let status: number
  let text: string
  let type: string
  try {
    const res = await fetch(`${url}/add-checkpoint`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs)
    })
    status = res.status
    type = res.headers.get('content-type') ?? ''
    const bytes = Buffer.from(await res.arrayBuffer())
    if (bytes.length > MAX_BODY_BYTES) return { kind: 'refused', outcome: 'failed', detail: `answer ${status} of ${bytes.length} bytes, over ${MAX_BODY_BYTES}` }
    text = bytes.toString('utf8')
  } catch (err) {
    const e = err as Error
    return { kind: 'refused', outcome: 'failed', detail: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}` }
  }
  if (status === 200) {
    if (!text.endsWith('\n')) return { kind: 'refused', outcome: 'failed', detail: `200 whose body is not newline-terminated signature lines: ${brief(text)}` }
    return { kind: 'cosigned', lines: text.slice(0, -1).split('\n') }
  }
  if (status === 409) {
    const match = SIZE_BODY.exec(text)
    // The spec's Content-Type is text/x.tlog.size; the body is what says the size.
    if (match === null || !Number.isSafeInteger(Number(match[1]))) return { kind: 'refused', outcome: 'failed', detail: `409 without a size (${type}): ${brief(text)}` }
    return { kind: 'conflict', size: Number(match[1]) }
  }
  const outcome: RefusalOutcome = status === 403 ? 'forbidden' : status === 404 ? 'unknown_origin' : status === 422 ? 'bad_proof' : 'failed'
  return { kind: 'refused', outcome, detail: `${status}: ${brief(text.trim())}` }
}
