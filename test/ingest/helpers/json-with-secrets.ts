import fc from 'fast-check'

// Values and names that the scrubber acts on, mixed with ordinary ones, so that generated
// events exercise redaction, refused names and the allow list, not only plain JSON.
const secretStrings = [
  'Bearer abcdefghijklmnopqrstuvwxyz', 'basic dXNlcjpwYXNzd29yZA==', '4111 1111 1111 1111', '4111-1111-1111-1112',
  'AKIAABCDEFGHIJKLMNOP', 'https://u:p@example.com/x', 'https://x.test/?access_token=abc', '[REDACTED]',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'forbidden word'
]
const secretNames = ['password', 'api_key', 'apiKey', 'token_count', 'Authorization', 'password_policy', 'secret', 'note', 'ssn_last4', 'access_key_id', 'cookies', '__proto__', 'a/b~c', 'é', 'seq']

export const memberName = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...secretNames), fc.constantFrom('ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'x'.repeat(300)))

const string = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 24 }) }, { weight: 1, arbitrary: fc.constantFrom(...secretStrings) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom('lone \uD800', '\uDC00') })

const { value } = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    string, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(memberName, tie('value'), { maxKeys: 5 })
  )
}))

export const jsonWithSecrets = { string, value }
