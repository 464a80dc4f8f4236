import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { parseVerifierKey } from '../core/note/index.js'
import { createDatabase } from '../store/database.js'
import { PgLogReader } from '../store/pg-log-reader.js'
import { exportLines } from './export-lines.js'
import type { FromReadThread, ReadJobOptions, ReadThreadData, ToReadThread } from './read-thread-protocol.js'
import { verifyStoredLog } from './verify-stored-log.js'

/**
 * A read thread: runs one whole-log verify or export at a time, so the parsing, hashing,
 * signature checks and garbage of a million rows stay off the API's event loop. The main
 * thread gets only the small verify result, or the export's bytes in chunks it asks for.
 */
const port = parentPort!
// On Linux a priority applies to the calling thread alone: reads then take the CPU the API's
// event loop leaves, instead of making its requests (and the health check) wait their turn.
try { setPriority(10) } catch {}
const data = workerData as ReadThreadData
const db = createDatabase({
  connectionString: data.connectionString,
  max: data.poolMax,
  connectionTimeoutMillis: data.connectionTimeoutMillis,
  // The same name as the main thread's read pool: operators (and tests) see them as one.
  applicationName: 'audit-service-api-reads'
})
const reader = new PgLogReader(db)

/** Large enough that posting costs little per byte, small enough to hold a few in memory. */
const CHUNK_CHARS = 64 * 1024

const post = (message: FromReadThread, transfer?: ArrayBuffer[]) => { port.postMessage(message, transfer) }
const fail = (err: unknown) => {
  const e = err as { message?: string, code?: unknown, statusCode?: unknown }
  post({
    type: 'error',
    error: {
      message: String(e?.message ?? err),
      ...(typeof e?.code === 'string' && { code: e.code }),
      ...(typeof e?.statusCode === 'number' && { statusCode: e.statusCode })
    }
  })
}

// Flow control of the running export: chunks the main thread asked for and not yet sent.
let credit = 0
let cancelled = false
let wake: (() => void) | undefined
const wakeUp = () => { const w = wake; wake = undefined; w?.() }

async function sendChunk (text: string): Promise<void> {
  while (credit === 0 && !cancelled) await new Promise<void>(resolve => { wake = resolve })
  if (cancelled) return
  credit--
  // A fresh buffer of its own (never Buffer's shared pool), so it can be transferred.
  const bytes = new TextEncoder().encode(text)
  post({ type: 'chunk', bytes }, [bytes.buffer as ArrayBuffer])
}

async function runExport (options: ReadJobOptions): Promise<void> {
  let pending = ''
  let first = true
  for await (const piece of exportLines(reader, exportOptions(options))) {
    pending += piece
    // The header goes at once, so the client has its answer before the first page is read.
    if (first || pending.length >= CHUNK_CHARS) {
      first = false
      await sendChunk(pending)
      pending = ''
    }
    if (cancelled) break
  }
  if (!cancelled && pending !== '') await sendChunk(pending)
}

function exportOptions (options: ReadJobOptions) {
  return {
    tenant: options.tenant,
    origin: options.origin,
    verifierKeys: options.verifierKeys,
    ...(options.fromSeq !== undefined && { fromSeq: options.fromSeq }),
    ...(options.toSeq !== undefined && { toSeq: options.toSeq })
  }
}

port.on('message', (message: ToReadThread) => {
  switch (message.type) {
    case 'verify': {
      const { verifierKeys, ...options } = exportOptions(message.options)
      verifyStoredLog(reader, { ...options, verifiers: verifierKeys.map(parseVerifierKey) })
        .then(result => { post({ type: 'result', result }) }, fail)
      break
    }
    case 'export':
      credit = 0
      cancelled = false
      runExport(message.options).then(() => { post({ type: 'end' }) }, fail)
      break
    case 'more':
      credit++
      wakeUp()
      break
    case 'cancel':
      cancelled = true
      wakeUp()
      break
    case 'close':
      db.destroy().finally(() => { process.exit(0) })
      break
  }
})
