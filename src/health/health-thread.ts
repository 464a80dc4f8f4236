import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'
import { answerHealthProbe, type PostedReading } from './answer-health-probe.js'

/** What health-listener.ts hands the thread. */
export interface HealthThreadData {
  host: string
  port: number
  staleAfterMs: number
}

/** What the thread tells health-listener.ts. */
export type HealthThreadMessage = { type: 'listening', port: number } | { type: 'error', code: string | undefined, message: string }

// The health thread: plain node:http and the latest reading the main thread posted, nothing
// else, so it stays within a few MB and answers while the main loop is busy with ingest.
const port = parentPort
if (port === null) throw new Error('health-thread runs as a worker thread started by health-listener')
const data = workerData as HealthThreadData
let latest: PostedReading | undefined
port.on('message', (reading: PostedReading) => { latest = reading })

const server = createServer((req, res) => {
  req.resume() // probes send no body; drain any so the connection can be reused
  const answer = answerHealthProbe(req, latest, Date.now(), data.staleAfterMs)
  res.writeHead(answer.statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(answer.allow !== undefined && { allow: answer.allow })
  })
  res.end(answer.body)
})
// Only load balancers should reach this port, but a slow or runaway client must not be able
// to fill the thread's small heap with sockets.
server.headersTimeout = 5_000
server.requestTimeout = 5_000
server.keepAliveTimeout = 5_000
server.maxConnections = 256
server.on('error', (err: NodeJS.ErrnoException) => {
  port.postMessage({ type: 'error', code: err.code, message: err.message } satisfies HealthThreadMessage)
})
server.listen(data.port, data.host, () => {
  port.postMessage({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies HealthThreadMessage)
})
