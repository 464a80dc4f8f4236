import { hash } from 'node:crypto'
import { buildPendingRecord } from '../core/chain/index.js'
import { canonicalMember, canonicalMembers } from '../core/json/index.js'
import { uuidV7 } from './uuid-v7.js'
import type { IngestItem, PrepareContext } from './prepare-event.js'
import { REDACTION_LIMITS, type AuditEventInput } from '../schemas/audit-event.js'
import { SecretMemberNameError, type ScrubResult } from './scrub-secrets.js'
import { RecordTooLargeError, RequestValidationError, type FieldError } from '../errors.js'
import { assembleRecord } from './assemble-record.js'

const DEFAULT_RECORD_MAX_BYTES = 65_535

/**
 * `prepareEvent` in its plain, two-pass form, which the one-pass form is held to: secrets
 * scrubbed from a copy of the event (the record keeps the JSON Pointers of what was removed),
 * the record built as an object, then each in canonical form and digested. Also the path for
 * anything that is not plain parsed JSON (`toJSON`, `undefined`, lone surrogates), whose rules
 * only the canonical-JSON library knows.
 */
export function prepareEventReference (input: AuditEventInput, ctx: PrepareContext): IngestItem {
  // occurred_at is not scrubbed: the schema holds it to an RFC 3339 date-time, which carries
  // no credential, while the card-number pattern can match its digits (`.251777777-0406` is 13
  // digits and may pass Luhn), and a redacted occurred_at could never be stored.
  const { id: sentId, tenant: _tenant, occurred_at: occurredAt, ...sent } = input
  // UUIDs are case-insensitive (RFC 9562) and PostgreSQL stores them in lowercase: one form
  // for the record, the idempotency key and the stored row, or `ABC…` and `abc…` would be two
  // events to the API and one to the database.
  const id = sentId === undefined ? uuidV7() : sentId.toLowerCase()
  const scrubbed = scrub(sent, ctx)
  const event: Record<string, unknown> = { occurred_at: occurredAt, ...(scrubbed.value as Record<string, unknown>) }
  // The digest covers what the producer sent, so a retry under a new request id is the same event.
  const members = canonicalMembers({ ...event, id, tenant: ctx.tenant })
  const digest = contentDigest(members)
  const redactions = scrubbed.redactions
  if (event.request_id === undefined) {
    const filled = scrub({ request_id: ctx.requestId }, ctx)
    event.request_id = (filled.value as { request_id: string }).request_id
    redactions.push(...filled.redactions)
  }
  checkRedactions(redactions, ctx)
  const record = buildPendingRecord(event, { id, tenant: ctx.tenant, received_at: ctx.receivedAt, redactions })
  // The record is the content plus server members (see buildPendingRecord): only those are new.
  for (const key of ['v', 'received_at', 'redactions', 'request_id'] as const) members.set(key, canonicalMember(key, record[key]))
  return ingestItem(members, { id, digest, serverId: sentId === undefined }, ctx)
}

/** Hex SHA-256 of the content's members assembled: the event as the producer sent it. */
export function contentDigest (members: ReadonlyMap<string, string>): string {
  return hash('sha256', assembleRecord(members).text, 'hex')
}

/**
 * The item both forms end with: the record's members (content and server members) assembled
 * into its canonical text, bounded (RECORD_MAX_BYTES) and digested for the receipt.
 */
export function ingestItem (members: ReadonlyMap<string, string>, event: { id: string, digest: string, serverId: boolean }, ctx: PrepareContext): IngestItem {
  const { text, seqAt } = assembleRecord(members)
  const bytes = checkRecordSize(text, ctx)
  return {
    id: event.id,
    tenant: ctx.tenant,
    receivedAt: ctx.receivedAt,
    canonical: text,
    ...(seqAt !== undefined && { seqAt }),
    digest: event.digest,
    recordSha256: hash('sha256', text, 'base64'),
    bytes,
    ...(event.serverId && { serverId: true })
  }
}

/** A member name that only an operator's pattern matches reaches the scrubber: a 400 naming it. */
function scrub (value: unknown, ctx: PrepareContext): ScrubResult {
  try {
    return ctx.scrub(value)
  } catch (err) {
    throw refuseSecretName(err, ctx)
  }
}

/** A secret-looking member name as the 400 that names its place; any other error as it is. */
export function refuseSecretName (err: unknown, ctx: PrepareContext): unknown {
  if (!(err instanceof SecretMemberNameError)) return err
  return new RequestValidationError([{ field: (ctx.pointer ?? '') + err.pointer, in: 'body', reason: err.message }])
}

/**
 * The redaction list is the server's own addition to a record, so it is bounded before anything
 * is serialized: a pointer's length is known without flattening it (the scrubber builds them by
 * concatenation), and the count is checked first, so this costs at most `maxCount` reads.
 */
export function checkRedactions (redactions: readonly string[], ctx: PrepareContext): void {
  if (redactions.length > REDACTION_LIMITS.maxCount) {
    throw tooLarge(ctx, '/redactions', `${redactions.length} values would be redacted, over the limit of ${REDACTION_LIMITS.maxCount} per event`)
  }
  let chars = 0
  for (const pointer of redactions) chars += pointer.length
  if (chars > REDACTION_LIMITS.maxChars) {
    throw tooLarge(ctx, '/redactions', `the JSON Pointers of the redacted values total ${chars} characters, over the limit of ${REDACTION_LIMITS.maxChars} (shorten the member names above them)`)
  }
}

/**
 * What is stored is bounded, not only what is sent: the record is the content plus the
 * server's members, and it is refused before it reaches Redis. Returns its UTF-8 size.
 */
export function checkRecordSize (text: string, ctx: PrepareContext): number {
  const bytes = Buffer.byteLength(text, 'utf8')
  const max = ctx.recordMaxBytes ?? DEFAULT_RECORD_MAX_BYTES
  if (bytes > max) throw tooLarge(ctx, '', `the record would be ${bytes} bytes in canonical form, over the limit of ${max} (RECORD_MAX_BYTES)`)
  return bytes
}

function tooLarge (ctx: PrepareContext, field: string, reason: string): RecordTooLargeError {
  const error: FieldError = { field: (ctx.pointer ?? '') + field, in: 'body', reason }
  return new RecordTooLargeError([error])
}
