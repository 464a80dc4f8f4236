import pg from 'pg'
import { canonicalBytes } from '../src/core/json/index.js'
import { chainHash, genesisHash } from '../src/core/chain/index.js'
import { leafHash } from '../src/core/merkle/index.js'
import { LogVerifier } from '../src/core/verify/index.js'
import type { BenchContext } from './bench-context.js'

export interface VerificationRun {
  /** GET /verify, or LogVerifier over rows read from PostgreSQL in pages: reading included. */
  verifySeconds: number
  verifyRowsPerSecond: number
  /** Canonical JSON + chain hash + leaf hash of the same records, already parsed in memory. */
  bareSeconds: number
  bareRowsPerSecond: number
}

export interface VerificationFigure {
  /** `GET /verify` when the API has the route, else `LogVerifier` in the bench process. */
  method: 'GET /verify' | 'LogVerifier'
  /** Why GET /verify was given up for LogVerifier, if it was. */
  httpError?: string
  tenant: string
  rows: number
  pageSize: number
  runs: VerificationRun[]
}

interface StoredRow { seq: string, canonical: Buffer, prev_hash: Buffer, hash: Buffer }

async function * pages (client: pg.Client, tenant: string, size: number): AsyncGenerator<StoredRow[]> {
  for (let after = 0; ;) {
    const page = await client.query({
      text: 'SELECT seq, canonical, prev_hash, hash FROM audit_events WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      values: [tenant, after, size]
    })
    if (page.rows.length === 0) return
    const rows = page.rows as StoredRow[]
    yield rows
    after = Number(rows[rows.length - 1]!.seq)
  }
}

/** Streams the tenant's rows through a LogVerifier, the way an offline check or /verify would. */
async function verify (client: pg.Client, ctx: BenchContext, tenant: string, expected: number): Promise<number> {
  const started = performance.now()
  const verifier = new LogVerifier({ tenant, origin: ctx.config.logOrigin, verifiers: [] })
  for await (const rows of pages(client, tenant, ctx.options.verifyPage)) {
    for (const row of rows) verifier.addRecord({ seq: Number(row.seq), canonical: row.canonical, prevHash: row.prev_hash, hash: row.hash })
  }
  const result = verifier.finish()
  const seconds = (performance.now() - started) / 1000
  if (!result.valid || result.checked !== expected) {
    throw new Error(`verification failed: ${JSON.stringify(result)}`)
  }
  return seconds
}

/** Whether the API serves GET /verify (the route arrived after the bench was written). */
async function hasVerifyRoute (apiBase: string, headers: Record<string, string>, tenant: string): Promise<boolean> {
  const res = await fetch(`${apiBase}/verify?tenant=${encodeURIComponent(tenant)}&to_seq=1`, { headers })
  await res.arrayBuffer()
  return res.status !== 404
}

/** Times GET /verify over the whole tenant; the answer must say valid, every row checked. */
async function verifyOverHttp (apiBase: string, headers: Record<string, string>, tenant: string, expected: number): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${apiBase}/verify?tenant=${encodeURIComponent(tenant)}`, { headers })
  const body = await res.json() as { valid?: boolean, checked?: number }
  const seconds = (performance.now() - started) / 1000
  if (res.status !== 200 || body.valid !== true || body.checked !== expected) {
    throw new Error(`GET /verify: ${res.status} ${JSON.stringify(body)}`)
  }
  return seconds
}

/** The canonical bytes of every row (read once; a Buffer each, off the JS heap) and the stored head hash. */
async function loadCanonical (client: pg.Client, ctx: BenchContext, tenant: string): Promise<{ canonicals: Buffer[], head: Buffer }> {
  const canonicals: Buffer[] = []
  let head: Buffer | undefined
  for await (const rows of pages(client, tenant, ctx.options.verifyPage)) {
    for (const row of rows) canonicals.push(row.canonical)
    head = rows[rows.length - 1]!.hash
  }
  if (head === undefined) throw new Error(`no rows for tenant ${tenant}`)
  return { canonicals, head }
}

/**
 * The ceiling: the same records parsed outside the clock a page at a time (so memory stays
 * bounded), then timed through canonical JSON, the chain hash and the leaf hash only.
 */
function bareHashing (canonicals: Buffer[], head: Buffer, pageSize: number): number {
  let seconds = 0
  let prev = genesisHash()
  for (let first = 0; first < canonicals.length; first += pageSize) {
    const records = canonicals.slice(first, first + pageSize).map(bytes => JSON.parse(bytes.toString('utf8')) as unknown)
    const started = performance.now()
    for (const record of records) {
      const bytes = canonicalBytes(record)
      prev = chainHash(prev, bytes)
      leafHash(bytes)
    }
    seconds += (performance.now() - started) / 1000
  }
  if (!prev.equals(head)) throw new Error('bare hashing did not reproduce the stored head hash')
  return seconds
}

/**
 * Figure 6, over the rows the drain figure stored: GET /verify on the running API if it has
 * the route, otherwise LogVerifier fed from PostgreSQL pages in the bench process.
 */
export async function measureVerification (ctx: BenchContext, tenant: string, expected: number, apiBase: string): Promise<VerificationFigure> {
  const client = new pg.Client({ connectionString: ctx.databaseUrl })
  await client.connect()
  try {
    const { canonicals, head } = await loadCanonical(client, ctx, tenant)
    if (canonicals.length !== expected) throw new Error(`expected ${expected} rows, read ${canonicals.length}`)
    const headers: Record<string, string> = ctx.apiKeys.verify === undefined ? {} : { authorization: `Bearer ${ctx.apiKeys.verify}` }
    let method: VerificationFigure['method'] = await hasVerifyRoute(apiBase, headers, tenant) ? 'GET /verify' : 'LogVerifier'
    let httpError: string | undefined
    const runs: VerificationRun[] = []
    for (let run = 1; run <= ctx.options.runs; run++) {
      let verifySeconds: number
      if (method === 'GET /verify') {
        try {
          verifySeconds = await verifyOverHttp(apiBase, headers, tenant, expected)
        } catch (err) {
          // Reported in the results; the figure goes on with the library so it still has a number.
          httpError = (err as Error).message
          ctx.log(`GET /verify failed, measuring LogVerifier in the bench process instead: ${httpError}`)
          method = 'LogVerifier'
          verifySeconds = await verify(client, ctx, tenant, expected)
        }
      } else {
        verifySeconds = await verify(client, ctx, tenant, expected)
      }
      const bareSeconds = bareHashing(canonicals, head, ctx.options.verifyPage)
      const r = { verifySeconds, verifyRowsPerSecond: expected / verifySeconds, bareSeconds, bareRowsPerSecond: expected / bareSeconds }
      runs.push(r)
      ctx.log(`verification run ${run}/${ctx.options.runs}: ${method} ${Math.round(r.verifyRowsPerSecond)} rows/s (${verifySeconds.toFixed(1)} s), ` +
        `bare hashing ${Math.round(r.bareRowsPerSecond)} rows/s (${bareSeconds.toFixed(1)} s)`)
    }
    return { method, ...(httpError !== undefined && { httpError }), tenant, rows: expected, pageSize: ctx.options.verifyPage, runs }
  } finally {
    await client.end()
  }
}
