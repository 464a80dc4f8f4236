import { canonicalBytes, isCanonicalRecord } from '../json/index.js'
import { recordAt, type QueuedEvent } from './audit-record.js'

/**
 * The canonical bytes of `event`'s record stored at `seq`: the API's canonical text with
 * `"seq":N` spliced in where it sorts, when that is proven to be canonical JSON of a record
 * with that `seq` and `tenant` (one read of the text, building nothing); otherwise the record
 * serialized again, as for jobs that carry no text.
 *
 * Proven means equal: the splice only adds a member, and only a top-level `seq` passes, so the
 * text is the parsed text plus `seq`, and canonical JSON has one form. That is the record's
 * form because the record is parsed from that same text (`decodeJobEvent`).
 */
export function canonicalAt (event: QueuedEvent, seq: number, tenant: string): Buffer {
  const { canonical: text, seqAt } = event
  if (text !== undefined && seqAt !== undefined && seqAt > 0 && seqAt < text.length) {
    const member = `"seq":${seq}`
    const spliced = seqAt === 1
      ? `{${member}${text.length > 2 ? ',' : ''}${text.slice(1)}`
      : `${text.slice(0, seqAt)},${member}${text.slice(seqAt)}`
    if (isCanonicalRecord(spliced, seq, tenant)) return Buffer.from(spliced, 'utf8')
  }
  return canonicalBytes(recordAt(event.record, seq))
}
