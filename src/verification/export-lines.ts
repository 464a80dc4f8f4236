import type { PgLogReader } from '../store/pg-log-reader.js'
import { eventLoopYielder } from './event-loop-yielder.js'
import { CheckpointCursor } from './checkpoint-cursor.js'
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

  // Without an explicit end, checkpoints beyond the rows are exported too: they reveal a cut
  // tail. They are read in pages alongside the rows, never all at once.
  const checkpoints = new CheckpointCursor(reader.checkpoints(options.tenant, fromSeq - 1, options.toSeq ?? Number.MAX_SAFE_INTEGER))
  const { pause, close: leave } = eventLoopYielder()
  try {
    // At most `max` lines at a time, so a long run of checkpoints is sent in pieces.
    const checkpointsUpTo = async (size: number, max = Number.MAX_SAFE_INTEGER): Promise<string> => {
      let chunk = ''
      for (let n = 0, c; n < max && (c = await checkpoints.nextUpTo(size)) !== undefined; n++) {
        chunk += line({ type: 'checkpoint', size: c.size, note: c.note })
      }
      return chunk
    }
    for (let head = await checkpointsUpTo(fromSeq - 1, 500); head !== ''; head = await checkpointsUpTo(fromSeq - 1, 500)) yield head
    let records = 0
    for await (const page of reader.records(options.tenant, fromSeq, toSeq, true)) {
      let chunk = ''
      for (const row of page) {
        chunk += line({ type: 'record', seq: row.seq, canonical: row.canonical.toString('utf8'), record: row.record, prev_hash: row.prev_hash.toString('hex'), hash: row.hash.toString('hex') })
        const next = checkpoints.nextSize
        if (next !== undefined && next <= row.seq) chunk += await checkpointsUpTo(row.seq)
        records++
        // Hands the socket what is ready and gives the event loop its turn.
        const turn = pause()
        if (turn !== undefined) {
          yield chunk
          chunk = ''
          await turn
        }
      }
      if (chunk !== '') yield chunk
    }
    for (let rest = await checkpointsUpTo(Number.MAX_SAFE_INTEGER, 500); rest !== ''; rest = await checkpointsUpTo(Number.MAX_SAFE_INTEGER, 500)) {
      yield rest
      const turn = pause()
      if (turn !== undefined) await turn
    }
    yield line({ type: 'end', records })
  } finally {
    leave()
    await checkpoints.close()
  }
}
