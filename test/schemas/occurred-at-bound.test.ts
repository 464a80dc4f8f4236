import fc from 'fast-check'
import t from 'tap'
import { fieldErrorFromAjv } from '../../src/http/field-error.js'
import { instantProblem } from '../../src/http/instant-problem.js'
import { createValidatorCompiler } from '../../src/http/validator-compiler.js'
import { AuditEventInput, OCCURRED_AT_MIN } from '../../src/schemas/audit-event.js'

// The bound the schema states for occurred_at is the one the service enforces (the schema,
// then instantProblem): written in 1970 or later, and no instant before the epoch.

const validate = createValidatorCompiler()({ schema: AuditEventInput.properties.occurred_at, httpPart: 'body', method: 'POST', url: '/audit-events' }) as
  ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string, keyword: string, message?: string, params: Record<string, unknown> }> | null }

function refusal (text: string): string | undefined {
  if (!validate(text)) return fieldErrorFromAjv(validate.errors![0]!, 'body').reason
  return instantProblem(text)
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

t.test('the stated bound is the enforced one', async t => {
  t.equal(Date.parse(OCCURRED_AT_MIN), 0)
  fc.assert(fc.property(
    fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(1980, 0, 1) }),
    fc.integer({ min: -15 * 60 - 59, max: 15 * 60 + 59 }),
    (instant, offset) => {
      const local = new Date(instant + offset * 60_000)
      const sign = offset < 0 ? '-' : '+'
      const text = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
      const stated = local.getUTCFullYear() >= 1970 && instant >= 0
      return (refusal(text) === undefined) === stated
    }), { numRuns: 5000 })
})

t.test('refusals say why', async t => {
  t.equal(refusal('1969-12-31T23:59:59Z'), 'must be after 1970-01-01T00:00:00Z', 'a year before 1970: the bound, not the pattern')
  t.equal(refusal('0000-01-01T00:00:00Z'), 'must be after 1970-01-01T00:00:00Z')
  t.equal(refusal('1970-01-01T00:30:00+01:00'), 'must be after 1970-01-01T00:00:00Z', 'written in 1970, an instant in 1969')
  t.match(refusal('yesterday'), /date-time/, 'not a date: said so')
  t.equal(refusal('1970-01-01T00:00:00Z'), undefined, 'the epoch itself')
  t.equal(refusal('9999-12-31T23:59:59.999Z'), undefined, 'the end of year 9999')
  t.match(refusal('+010000-01-01T00:00:00Z'), /date-time/, 'no year beyond 9999')
})
