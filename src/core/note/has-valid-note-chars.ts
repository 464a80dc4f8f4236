// Any control character but '\n', or a lone surrogate (which cannot be
// encoded as UTF-8, so the signed bytes would be ambiguous).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f]|\p{Cs}/u

/** True when `s` obeys the signed-note character rules (valid UTF-8, no control characters but newline). */
export function hasValidNoteChars (s: string): boolean {
  return !FORBIDDEN.test(s)
}
