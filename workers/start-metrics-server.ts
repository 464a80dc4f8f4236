import { createServer } from 'node:http'
import type { Registry } from 'prom-client'

/**
 * The worker has no API; Prometheus scrapes it here (GET /metrics). Returns a close function.
 * Port 0 means no listener (several workers on one host need distinct ports).
 */
export async function startMetricsServer (registry: Registry, host: string, port: number): Promise<() => Promise<void>> {
  if (port === 0) return async () => {}
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    registry.metrics().then(body => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(body)
    }, (err: Error) => {
      res.writeHead(500).end(err.message)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return async () => { await new Promise(resolve => server.close(resolve)) }
}
