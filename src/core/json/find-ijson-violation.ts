import { joinPointer } from './json-pointer.js'

/** Bounds applied on top of the RFC 7493 rules. */
export interface IJsonLimits {
  /** Deepest allowed nesting of objects/arrays; the root container is depth 1. Default 32. */
  maxDepth?: number
  /** Most members allowed in one object. Default 1000. */
  maxKeys?: number
  /** Most values (containers and scalars, root included) in the whole document. Default: no limit. */
  maxTotalNodes?: number
}

/** The first problem found, located by an RFC 6901 pointer. */
export interface IJsonViolation {
  pointer: string
  reason: string
}

const DEFAULT_MAX_DEPTH = 32
const DEFAULT_MAX_KEYS = 1000

/** One value still to check, linked to its parent so pointers are only built on failure. */
interface PendingValue {
  value: unknown
  /** Number of containers enclosing this value (0 for the root). */
  depth: number
  parent: PendingValue | undefined
  /** Array index, or object key (whose well-formedness is checked when the member is visited). */
  token: string | number
}

/**
 * Finds the first value, in document order, that breaks RFC 7493 (I-JSON) or the given limits.
 *
 * Rejected: strings or object keys with lone surrogates; non-finite numbers; integers
 * beyond ±(2^53-1) (`JSON.parse` already rounded e.g. 9007199254740993 up to 2^53,
 * so such input is still caught; note 1e300 is an integer too and is therefore
 * rejected); values JSON cannot carry (`undefined`, bigint, functions, symbols);
 * nesting deeper than `maxDepth`; objects with more than `maxKeys` members; more
 * than `maxTotalNodes` values. `\u0000` is legal I-JSON and is accepted.
 *
 * The walk uses an explicit stack, so a depth bomb is reported instead of
 * overflowing the call stack, and it stops at the first violation.
 *
 * @returns `undefined` when the value is acceptable.
 */
export function findIJsonViolation (value: unknown, limits: IJsonLimits = {}): IJsonViolation | undefined {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxKeys = limits.maxKeys ?? DEFAULT_MAX_KEYS
  const maxTotalNodes = limits.maxTotalNodes ?? Number.POSITIVE_INFINITY

  const stack: PendingValue[] = [{ value, depth: 0, parent: undefined, token: '' }]
  let visited = 0
  while (stack.length > 0) {
    const node = stack.pop()!
    visited += 1
    if (visited > maxTotalNodes) return violation(node, `more than ${maxTotalNodes} values in total`)
    if (typeof node.token === 'string' && node.parent !== undefined && !isWellFormed(node.token)) {
      return violation(node, 'object key contains a lone surrogate (not valid Unicode)')
    }
    const reason = scalarProblem(node.value)
    if (reason !== undefined) return violation(node, reason)
    if (typeof node.value !== 'object' || node.value === null) continue

    const depth = node.depth + 1
    if (depth > maxDepth) return violation(node, `nesting deeper than ${maxDepth} levels`)
    if (Array.isArray(node.value)) {
      // Children are visited next, before anything already on the stack: past the first
      // `maxTotalNodes - visited + 1` of them the count is exceeded, so the rest (of a
      // million-item array, say) need not be pushed at all.
      const reachable = Math.min(node.value.length, maxTotalNodes - visited + 1)
      // Pushed in reverse so they pop, and are reported, in document order.
      for (let i = reachable - 1; i >= 0; i--) {
        stack.push({ value: node.value[i], depth, parent: node, token: i })
      }
    } else {
      const object = node.value as Record<string, unknown>
      const keys = Object.keys(object)
      if (keys.length > maxKeys) return violation(node, `object has more than ${maxKeys} keys`)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        stack.push({ value: object[key], depth, parent: node, token: key })
      }
    }
  }
  return undefined
}

/** Problem with a non-container value, or `undefined` if it is fine (containers are fine here). */
function scalarProblem (value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? undefined : 'string contains a lone surrogate (not valid Unicode)'
    case 'number':
      if (!Number.isFinite(value)) return 'number is not finite (NaN or Infinity are not JSON)'
      if (Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
        return 'integer outside ±(2^53-1) (I-JSON)'
      }
      return undefined
    case 'boolean':
    case 'object':
      return undefined
    default:
      return `value of type ${typeof value} is not JSON`
  }
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
// Both branches look at most one code unit around each match, so the scan is linear.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

type MaybeWellFormed = string & { isWellFormed?: () => boolean }

function isWellFormed (text: string): boolean {
  // Native on Node 20+, but looked up per call so the fallback stays reachable and testable.
  const native = (text as MaybeWellFormed).isWellFormed
  return typeof native === 'function' ? native.call(text) : !LONE_SURROGATE.test(text)
}

function violation (node: PendingValue, reason: string): IJsonViolation {
  const tokens: (string | number)[] = []
  for (let at: PendingValue | undefined = node; at?.parent !== undefined; at = at.parent) {
    tokens.push(at.token)
  }
  return { pointer: joinPointer(tokens.reverse()), reason }
}
