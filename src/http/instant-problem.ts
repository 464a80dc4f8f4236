const UTC_OFFSET = /[+-](\d\d):?(\d\d)$/
const MAX_UTC_OFFSET_MINUTES = 15 * 60 + 59

/**
 * Why an RFC 3339 date-time (already checked by the schema's `date-time` format) is not an
 * instant PostgreSQL's timestamptz can hold, or undefined when it is. Shared by ingest
 * (`occurred_at`) and the read filters, so that neither reaches the database with a value
 * it rejects (a 500 instead of a 400).
 */
export function instantProblem (text: string): string | undefined {
  const time = Date.parse(text)
  if (Number.isNaN(time)) return 'not a valid instant in time'
  // Year 0000 does not exist in PostgreSQL; nothing stored is older than the epoch.
  if (time < 0 || text.startsWith('0000')) return 'must be after 1970-01-01T00:00:00Z'
  // RFC 3339 allows offsets up to ±23:59, PostgreSQL's timestamptz only up to ±15:59 (real
  // offsets are -12 to +14).
  const offset = UTC_OFFSET.exec(text)
  if (offset !== null && Number(offset[1]) * 60 + Number(offset[2]) > MAX_UTC_OFFSET_MINUTES) return 'time zone offset beyond ±15:59'
  return undefined
}
