import { timingSafeEqual, createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * Whether an Authorization header carries the scrape token. Both sides are hashed first, so
 * the comparison takes the same time whatever the header's length.
 */
export function scrapeTokenCheck (token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true
  const expected = digest(`Bearer ${token}`)
  return authorization => timingSafeEqual(digest(authorization ?? ''), expected)
}

export interface MetricsServer {
  /** The bound port (useful when 0 would have picked one; here 0 means no listener). */
  port: number
  close (): Promise<void>
}

/**
 * A listener of its own for GET /metrics, apart from the API port: operators expose it to
 * their scraper only. With a token, scrapes need `Authorization: Bearer <token>` here too.
 * Port 0 means no listener (several processes on one host need distinct ports).
 */
export async function startMetricsServer (registry: Registry, host: string, port: number, token?: string): Promise<MetricsServer> {
  if (port === 0) return { port: 0, close: async () => {} }
  const authorized = scrapeTokenCheck(token)
  const server = createServer((req, res) => {
    req.resume()
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    if (!authorized(req.headers.authorization)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end()
      return
    }
    registry.metrics().then(body => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(body)
    }, () => {
      // The reason stays out of the answer: it may name hosts or users.
      res.writeHead(500).end()
    })
  })
  // Scrapers send one small request; nothing else should hold a socket here.
  server.headersTimeout = 5_000
  server.requestTimeout = 10_000
  server.maxConnections = 64
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
