import { RECORD_VERSION } from '../core/chain/index.js'
import { canonicalMember } from '../core/json/index.js'
import type { AuditEventInput } from '../schemas/audit-event.js'
import { uuidV7 } from './uuid-v7.js'
import { checkRedactions, contentDigest, ingestItem, prepareEventReference, refuseSecretName } from './prepare-event-reference.js'
import { CanonicalScrubber, NOT_PLAIN } from './scrub-to-canonical.js'
import type { ScrubResult, ScrubRules } from './scrub-secrets.js'

/** `compileScrubber()`'s result; its `rules` let `prepareEvent` scrub while it writes. */
export type Scrubber = ((value: unknown) => ScrubResult) & { readonly rules?: ScrubRules }

export interface PrepareContext {
  tenant: string
  requestId: string
  receivedAt: string
  scrub: Scrubber
  /** Largest canonical record in bytes (RECORD_MAX_BYTES); 65,535 (a tlog-tiles entry) when not given. */
  recordMaxBytes?: number
  /** Where the event is in the request body (`/events/3` in a batch), for error fields. */
  pointer?: string
}

/**
 * An event on its way in: the record the worker will store (but for `seq`) already in
 * canonical form, with what the API answers and the producer needs. Nothing else is kept of
 * the request body.
 */
export interface IngestItem {
  id: string
  tenant: string
  receivedAt: string
  /** The pending record (the stored record without `seq`) in RFC 8785 canonical form. */
  canonical: string
  /** Where the member `"seq":N` goes in `canonical` (see `assembleRecord`); absent if the record has a `seq` member of its own. */
  seqAt?: number
  /** Hex SHA-256 of the event as sent, canonical (see QueuedEvent#digest). */
  digest: string
  /** Base64 SHA-256 of `canonical`: what a receipt signs (see `recordSha256`). */
  recordSha256: string
  /** UTF-8 size of `canonical`, to bound records and pack jobs by bytes. */
  bytes: number
  /**
   * The id was made by the API, so no producer can send it again: it needs no idempotency
   * key (24 h of keys for ids nobody can repeat would only fill Redis).
   */
  serverId?: boolean
}

const writers = new WeakMap<ScrubRules, CanonicalScrubber>()

/**
 * From a validated event to what is enqueued, in one walk of the event: each member is scrubbed
 * and written in canonical form at once (no scrubbed copy, no record object), the content
 * digest and the record's digest are taken from texts assembled from those members.
 *
 * The same result as {@link prepareEventReference}, the two-pass form (scrub a copy, build the
 * record, canonicalize): that form is taken for anything but plain parsed JSON, and
 * test/ingest/prepare-event.test.ts holds this path to it on generated events.
 */
export function prepareEvent (input: AuditEventInput, ctx: PrepareContext): IngestItem {
  const rules = ctx.scrub.rules
  if (rules === undefined) return prepareEventReference(input, ctx)
  let writer = writers.get(rules)
  if (writer === undefined) writers.set(rules, writer = new CanonicalScrubber(rules))
  try {
    return prepareWith(writer, input, ctx)
  } catch (err) {
    if (err === NOT_PLAIN) return prepareEventReference(input, ctx)
    throw refuseSecretName(err, ctx)
  }
}

function prepareWith (writer: CanonicalScrubber, input: AuditEventInput, ctx: PrepareContext): IngestItem {
  const sentId = input.id
  // UUIDs are case-insensitive and PostgreSQL stores them in lowercase (see the reference form).
  const id = sentId === undefined ? uuidV7() : sentId.toLowerCase()
  const members = new Map<string, string>()
  const redactions: string[] = []
  for (const name of Object.keys(input)) {
    if (name === 'id' || name === 'tenant') continue
    const value = (input as Record<string, unknown>)[name]
    // Not parsed JSON (the reference form knows what undefined members do).
    if (value === undefined) throw NOT_PLAIN
    // occurred_at is not scrubbed (see the reference form for why).
    members.set(name, name === 'occurred_at' ? canonicalMember(name, value) : writer.member(name, value, redactions))
  }
  members.set('id', canonicalMember('id', id))
  members.set('tenant', canonicalMember('tenant', ctx.tenant))
  // The digest covers what the producer sent, so a retry under a new request id is the same event.
  const digest = contentDigest(members)
  if (!members.has('request_id')) members.set('request_id', writer.member('request_id', ctx.requestId, redactions))
  checkRedactions(redactions, ctx)
  members.set('v', canonicalMember('v', RECORD_VERSION))
  members.set('received_at', canonicalMember('received_at', ctx.receivedAt))
  members.set('redactions', canonicalMember('redactions', redactions))
  return ingestItem(members, { id, digest, serverId: sentId === undefined }, ctx)
}
