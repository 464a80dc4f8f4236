import { createServer } from 'node:net'

/** Ports the shared services on this machine use: never hand them out. */
const RESERVED = new Set([5432, 6379])

/**
 * A TCP port nothing listens on now, chosen at random in 20000-29999: below the kernel's
 * ephemeral range (32768+), so an outgoing connection cannot be holding it when an instance
 * that was stopped for a fault binds it again.
 */
export async function freePort (): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20000 + Math.floor(Math.random() * 10000)
    if (RESERVED.has(port)) continue
    const ok = await new Promise<boolean>(resolve => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (ok) return port
  }
  throw new Error('no free port found in 20000-29999')
}
