import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { hasNestedQuantifier, parseScrubPatterns } from '../../src/ingest/parse-scrub-patterns.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'

t.test('SCRUB_EXTRA_PATTERNS: a JSON array of sources or /source/flags, compiled once at start', async (t) => {
  t.same(loadConfig({}).scrubExtraPatterns, [])
  const patterns = loadConfig({ SCRUB_EXTRA_PATTERNS: '["EMP-\\\\d{6}", "/internal-[a-z]{4}/i"]' }).scrubExtraPatterns
  t.same(patterns.map(re => [re.source, re.flags]), [['EMP-\\d{6}', ''], ['internal-[a-z]{4}', 'i']])
  const scrub = compileScrubber({ extraPatterns: patterns })
  t.same(scrub({ a: 'badge EMP-123456', b: 'INTERNAL-abcd', c: 'EMP-12' }).redactions, ['/a', '/b'])
})

t.test('a bad SCRUB_EXTRA_PATTERNS is a ConfigError naming the variable and the pattern', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['EMP-\\d{6}', /JSON array/],
    ['{"a":1}', /JSON array of non-empty strings/],
    ['["ok", 3]', /JSON array of non-empty strings/],
    ['[""]', /non-empty/],
    ['["ok", "("]', /pattern 2 does not compile/],
    ['["[a-"]', /pattern 1 does not compile/],
    ['["/a/g"]', /pattern 1: only the flags i, m, s and u/],
    ['["(a+)+$"]', /pattern 1 nests an unbounded quantifier/],
    ['["ok", "(?:\\\\w+\\\\s?)*x"]', /pattern 2 nests an unbounded quantifier/],
    ['["((ab*))+"]', /nests/],
    ['["(a{2,})*"]', /nests/]
  ]
  for (const [value, message] of cases) {
    const error = t.throws(() => loadConfig({ SCRUB_EXTRA_PATTERNS: value }), value) as ConfigError
    t.type(error, ConfigError, value)
    t.equal(error.variable, 'SCRUB_EXTRA_PATTERNS', value)
    t.match(error.message, /^SCRUB_EXTRA_PATTERNS: /, value)
    t.match(error.message, message, value)
  }
})

t.test('nested quantifiers are found, bounded or single repeats are allowed', async (t) => {
  const nested = ['(a+)+', '(a*)*', '(a+){2,5}', '(?:x(a+)y)*', '((a+))+', '(a{1,})+', '(?<n>a+)*']
  const fine = ['a+b+', '(a+)?', '(ab)+', '(a{1,5})+', '[(a+)]+', '\\(a+\\)+', '(a|b)+', 'EMP-\\d{6}', '(?:[A-Z]{2}\\d{2})+', '[+*]{3}']
  for (const source of nested) t.ok(hasNestedQuantifier(source), source)
  for (const source of fine) t.notOk(hasNestedQuantifier(source), source)
  t.same(parseScrubPatterns(''), [])
  t.same(parseScrubPatterns('  '), [])
})
