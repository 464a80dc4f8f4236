import { randomUUID } from 'node:crypto'
import { ChainBatch, genesisHash, type ChainPosition, type Row } from '../src/core/chain/index.js'
import { compileScrubber } from '../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../src/ingest/prepare-event.js'
import { decodeJobEvent, toJobEvent } from '../src/queue/append-job.js'
import type { AuditEventInput } from '../src/schemas/audit-event.js'
import { sampleEvent } from './sample-event.js'

const ACTIONS = ['user.login', 'user.logout', 'document.view', 'document.edit', 'document.permission.update', 'admin.role.grant']
const START = Date.parse('2026-11-26T00:00:00Z')

/**
 * Rows for the index study's inserts, made as the worker makes them (prepareEvent, then a
 * ChainBatch: real canonical records, hashes and tree nodes), with the spread of values that
 * decides where an index entry lands: 20,000 actors, a million targets of two types, six
 * actions, 1% service actors, 2% failures, a random request id each (the API's default),
 * times that grow with the chain. Batches follow each other on one chain.
 */
export class StudyRows {
  readonly #tenant: string
  readonly #scrub = compileScrubber()
  #head: ChainPosition = { size: 0, headHash: genesisHash(), frontier: Buffer.alloc(0) }

  constructor (tenant: string) {
    this.#tenant = tenant
  }

  next (count: number): Row[] {
    const batch = new ChainBatch(this.#tenant, this.#head)
    const events = []
    for (let i = 0; i < count; i++) {
      const n = this.#head.size + i
      const base = sampleEvent(n)
      const at = new Date(START + n * 10).toISOString()
      const input = {
        ...base,
        occurred_at: at,
        action: ACTIONS[n % ACTIONS.length],
        actor: { ...(base.actor as object), type: n % 100 === 0 ? 'service' : 'user', id: `u_${(n * 7907) % 20_000}` },
        target: { ...(base.target as object), type: n % 2 === 0 ? 'document' : 'folder' },
        outcome: n % 50 === 0 ? 'failure' : 'success'
      }
      events.push(decodeJobEvent(toJobEvent(prepareEvent(input as AuditEventInput, { tenant: this.#tenant, requestId: randomUUID(), receivedAt: at, scrub: this.#scrub }))))
    }
    batch.add(events)
    this.#head = batch.head!
    return batch.rows
  }
}
