interface MediaRange {
  type: string
  subtype: string
  params: Map<string, string>
  q: number
}

// RFC 9110 §12.4.2: a weight is 0 to 1 with at most three decimals.
const WEIGHT = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** The elements of a header list, split on the commas outside quoted strings. */
function splitOutsideQuotes (text: string, separator: ',' | ';'): string[] {
  const parts: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted && ch === '\\') i++
    else if (ch === '"') quoted = !quoted
    else if (!quoted && ch === separator) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map(p => p.trim())
}

const unquote = (value: string) => value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value

/** One element of Accept, or undefined when it is not a media range (it is then ignored). */
function parseRange (element: string): MediaRange | undefined {
  const [range, ...rest] = splitOutsideQuotes(element, ';')
  const slash = range!.indexOf('/')
  const type = range!.slice(0, slash).toLowerCase()
  const subtype = range!.slice(slash + 1).toLowerCase()
  if (slash < 0 || !TOKEN.test(type) || !TOKEN.test(subtype) || (type === '*' && subtype !== '*')) return undefined
  const params = new Map<string, string>()
  let q = 1
  for (const param of rest) {
    const eq = param.indexOf('=')
    if (eq < 0) return undefined
    const name = param.slice(0, eq).trim().toLowerCase()
    const value = unquote(param.slice(eq + 1).trim())
    if (name === 'q') {
      if (!WEIGHT.test(value)) return undefined
      q = Number(value)
      // What follows the weight are accept-extensions, not parameters of the range.
      break
    }
    params.set(name, value)
  }
  return { type, subtype, params, q }
}

/**
 * How closely `range` names the offered type: 3 plus its parameters for an exact match, 2 for
 * `type/*`, 1 for `*\/*`, 0 when it does not match. Everything the service sends as text is
 * UTF-8, so `charset=utf-8` matches an offered type that names no charset.
 */
function specificity (range: MediaRange, offered: MediaRange): number {
  if (range.type === '*') return 1
  if (range.type !== offered.type) return 0
  if (range.subtype === '*') return 2
  if (range.subtype !== offered.subtype) return 0
  for (const [name, value] of range.params) {
    const own = offered.params.get(name)
    const same = own === undefined ? name === 'charset' && value.toLowerCase() === 'utf-8' : own.toLowerCase() === value.toLowerCase()
    if (!same) return 0
  }
  return 3 + range.params.size
}

/**
 * The media type to answer with, from the request's Accept header (RFC 9110 §12.5.1), among
 * `offered` (the route's default first), or undefined when Accept allows none of them (a 406).
 *
 * Each offered type takes the weight of the most specific range that matches it; the highest
 * weight wins, then the type named more specifically (`application/json, *\/*` picks JSON), then
 * the route's order. So no Accept, `*\/*`, or a browser's list ending in `*\/*;q=0.8` keep the
 * default. Elements that are not media ranges are ignored; an Accept made only of those is
 * treated as absent.
 *
 * @example
 * negotiateMediaType('text/plain;q=0.5, application/json', ['text/plain', 'application/json']) // 'application/json'
 * negotiateMediaType('image/png', ['text/plain', 'application/json']) // undefined
 */
export function negotiateMediaType<T extends string> (accept: string | undefined, offered: readonly [T, ...T[]]): T | undefined {
  const ranges = accept === undefined ? [] : splitOutsideQuotes(accept, ',').flatMap(e => parseRange(e) ?? [])
  if (ranges.length === 0) return offered[0]
  let best: { type: T, q: number, s: number } | undefined
  for (const type of offered) {
    const own = parseRange(type)!
    let q = 0
    let s = 0
    for (const range of ranges) {
      const match = specificity(range, own)
      if (match > s) { s = match; q = range.q }
    }
    if (q > 0 && (best === undefined || q > best.q || (q === best.q && s > best.s))) best = { type, q, s }
  }
  return best?.type
}
