/**
 * Reads operators' extra value patterns (`SCRUB_EXTRA_PATTERNS`): a JSON array of
 * regular expressions, each a source (`"EMP-\\d{6}"`) or `/source/flags` with
 * flags among `i`, `m`, `s`, `u`. Every string of every event is run through
 * them, so a pattern that can backtrack catastrophically would let one event
 * freeze the API: the usual form, a quantified group that itself holds an
 * unbounded quantifier (`(a+)+`, `(\w+\s?)*`), is refused. Overlapping
 * alternatives under a quantifier (`(a|a)*`) are not detected: keep patterns
 * to plain runs, or bound them (`{1,64}`).
 *
 * @throws Error naming the pattern (by position) and the reason.
 */
export function parseScrubPatterns (text: string): RegExp[] {
  if (text.trim() === '') return []
  let list: unknown
  try {
    list = JSON.parse(text)
  } catch {
    throw new Error('must be a JSON array of strings, e.g. ["EMP-[0-9]{6}", "/secret-[a-z]{8}/i"]')
  }
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
    throw new Error('must be a JSON array of non-empty strings')
  }
  return (list as string[]).map((item, i) => {
    const slashed = /^\/(.+)\/([a-z]*)$/s.exec(item)
    const [source, flags] = slashed === null ? [item, ''] : [slashed[1]!, slashed[2]!]
    if (/[^imsu]/.test(flags)) throw new Error(`pattern ${i + 1}: only the flags i, m, s and u are allowed`)
    let re: RegExp
    try {
      re = new RegExp(source, flags)
    } catch (err) {
      throw new Error(`pattern ${i + 1} does not compile: ${(err as Error).message}`)
    }
    if (hasNestedQuantifier(source)) throw new Error(`pattern ${i + 1} nests an unbounded quantifier in a repeated group, which can backtrack catastrophically`)
    return re
  })
}

/**
 * True when a group holding `*`, `+` or `{n,}` is itself repeated (`*`, `+`,
 * `{n,}` or `{n,m}` with m > 1). Escapes and character classes are skipped.
 */
export function hasNestedQuantifier (source: string): boolean {
  // Per open group: whether it holds an unbounded quantifier.
  const groups: boolean[] = []
  let lastGroupUnbounded = false
  let afterGroup = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\') {
      i++
      afterGroup = false
      continue
    }
    if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
      afterGroup = false
      continue
    }
    if (c === '(') {
      groups.push(false)
      afterGroup = false
      continue
    }
    if (c === ')') {
      lastGroupUnbounded = groups.pop() ?? false
      // What a group holds, its enclosing group holds too: `((a+))+` nests as well.
      if (lastGroupUnbounded && groups.length > 0) groups[groups.length - 1] = true
      afterGroup = true
      continue
    }
    const quantifier = readQuantifier(source, i)
    if (quantifier !== undefined) {
      if (afterGroup && lastGroupUnbounded && quantifier.repeats) return true
      if (quantifier.unbounded || (afterGroup && lastGroupUnbounded)) {
        if (groups.length > 0) groups[groups.length - 1] = true
      }
      i = quantifier.end - 1
      afterGroup = false
      continue
    }
    afterGroup = false
  }
  return false
}

function readQuantifier (source: string, at: number): { unbounded: boolean, repeats: boolean, end: number } | undefined {
  const c = source[at]
  if (c === '*' || c === '+') return { unbounded: true, repeats: true, end: at + 1 + (source[at + 1] === '?' ? 1 : 0) }
  if (c === '?') return { unbounded: false, repeats: false, end: at + 1 }
  if (c !== '{') return undefined
  const match = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(at, at + 24))
  if (match === null) return undefined
  const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3])
  return { unbounded: max === Infinity, repeats: max > 1, end: at + match[0].length }
}
