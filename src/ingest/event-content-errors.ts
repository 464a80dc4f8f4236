import { findIJsonViolation, joinPointer } from '../core/json/index.js'
import { secretPatternOfName } from './scrub-secrets.js'
import { METADATA_LIMITS } from '../schemas/audit-event.js'
import type { FieldError } from '../errors.js'
import { instantProblem } from '../http/instant-problem.js'

/**
 * Checks JSON Schema cannot express: I-JSON (RFC 7493) numbers and strings, the metadata
 * bounds, NUL characters (PostgreSQL's jsonb cannot hold them, and an event the worker could
 * never store must be refused here, not dead-lettered later) and a real instant in time that
 * PostgreSQL can store.
 */
export function eventContentErrors (event: Record<string, unknown>, pointer = ''): FieldError[] {
  const errors: FieldError[] = []
  const add = (field: string, reason: string) => errors.push({ field: pointer + field, in: 'body', reason })

  const violation = findIJsonViolation(event, { maxDepth: METADATA_LIMITS.maxDepth + 1, maxKeys: METADATA_LIMITS.maxKeys, maxTotalNodes: METADATA_LIMITS.maxNodes + 64 })
  if (violation !== undefined) {
    add(violation.pointer, violation.reason)
  } else {
    // Only once the size is known to be bounded: a metadata array of a million items must
    // cost one refusal, not a million pointers.
    const bad = findBadString(event)
    if (bad !== undefined) add(bad.pointer, bad.reason)
  }

  // Ajv's `uuid` format also takes `urn:uuid:…`, which PostgreSQL's uuid type does not: such
  // an event would be accepted (202) and then never stored.
  if (typeof event.id === 'string' && !BARE_UUID.test(event.id)) add('/id', 'must be a UUID as 32 hex digits in 8-4-4-4-12 groups, without a prefix')

  const occurredAt = event.occurred_at
  if (typeof occurredAt === 'string') {
    const problem = instantProblem(occurredAt)
    if (problem !== undefined) add('/occurred_at', problem)
  }
  return errors
}

const BARE_UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/

interface BadString { path: Array<string | number>, reason: string }

// Called only once findIJsonViolation has bounded the depth, so recursion cannot exhaust the
// stack. One shared path, copied only for the value refused (most events have none).
function findBadString (root: unknown): { pointer: string, reason: string } | undefined {
  const path: Array<string | number> = []
  const bad = visit(root, path)
  return bad === undefined ? undefined : { pointer: joinPointer(bad.path), reason: bad.reason }
}

function visit (value: unknown, path: Array<string | number>): BadString | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path: [...path], reason: 'NUL characters (\\u0000) are not accepted' }
    if (value.length > METADATA_LIMITS.maxStringLength) return { path: [...path], reason: `string longer than ${METADATA_LIMITS.maxStringLength} characters` }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i)
      const bad = visit(value[i], path)
      path.pop()
      if (bad !== undefined) return bad
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key.includes('\u0000')) return { path: [...path, key], reason: 'NUL characters (\\u0000) are not accepted in keys' }
      // Checked before scrubbing, so a long name never costs a long pointer; the error names
      // the object, not the name (which may be 8 KiB long).
      if (key.length > METADATA_LIMITS.maxKeyLength) return { path: [...path], reason: `has a member name of ${key.length} characters, longer than ${METADATA_LIMITS.maxKeyLength}` }
      // Values are redacted, but a member name cannot be: a secret used as a key is refused
      // (the error names the pattern, never the key itself).
      const secret = secretPatternOfName(key)
      if (secret !== undefined) return { path: [...path, '<key>'], reason: `a member name looks like a secret (${secret}); secrets are only redacted from values, so it is refused` }
      path.push(key)
      const bad = visit((value as Record<string, unknown>)[key], path)
      path.pop()
      if (bad !== undefined) return bad
    }
  }
  return undefined
}
