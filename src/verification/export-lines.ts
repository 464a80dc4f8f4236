import type { PgLogReader } from '../store/pg-log-reader.js'
import { EXPORT_FORMAT, type ExportLine } from './export-format.js'

export interface ExportOptions {
  tenant: string
  origin: string
  verifierKeys: string[]
  fromSeq?: number
  toSeq?: number
}

/** Streams a tenant's log as NDJSON lines (see export-format.ts), page by page. */
export async function * exportLines (reader: PgLogReader, options: ExportOptions): AsyncGenerator<string> {
  const line = (value: ExportLine) => JSON.stringify(value) + '\n'
  const fromSeq = options.fromSeq ?? 1
  const toSeq = options.toSeq ?? await reader.headSize(options.tenant)
  let start = null
  if (fromSeq > 1) {
    const state = await reader.stateAfter(options.tenant, fromSeq - 1)
    if (state !== undefined) start = { prev_hash: state.prevHash.toString('hex'), frontier: state.range.hashes.map(h => Buffer.from(h).toString('hex')) }
  }
  yield line({ type: 'header', format: EXPORT_FORMAT, tenant: options.tenant, origin: options.origin, from_seq: fromSeq, to_seq: toSeq, verifier_keys: options.verifierKeys, start })

  // Without an explicit end, checkpoints beyond the rows are exported too: they reveal a cut tail.
  const checkpoints = await reader.checkpoints(options.tenant, fromSeq - 1, options.toSeq ?? Number.MAX_SAFE_INTEGER)
  let next = 0
  const checkpointsUpTo = function * (size: number): Generator<string> {
    while (next < checkpoints.length && checkpoints[next]!.size <= size) {
      const c = checkpoints[next++]!
      yield line({ type: 'checkpoint', size: c.size, note: c.note })
    }
  }
  yield * checkpointsUpTo(fromSeq - 1)
  let records = 0
  for await (const page of reader.records(options.tenant, fromSeq, toSeq, true)) {
    let chunk = ''
    for (const row of page) {
      chunk += line({ type: 'record', seq: row.seq, canonical: row.canonical.toString('utf8'), record: row.record, prev_hash: row.prev_hash.toString('hex'), hash: row.hash.toString('hex') })
      for (const c of checkpointsUpTo(row.seq)) chunk += c
      records++
    }
    yield chunk
  }
  yield * checkpointsUpTo(Number.MAX_SAFE_INTEGER)
  yield line({ type: 'end', records })
}
