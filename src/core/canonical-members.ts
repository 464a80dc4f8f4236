import { canonicalJson } from './canonical-json.js'

/**
 * The members of an object, each already in canonical form (RFC 8785): the name's JSON string
 * and the value's canonical JSON.
 */
export type CanonicalMembers = ReadonlyMap<string, string>

/**
 * Canonicalizes each member of `object` once, so that several objects sharing most of their
 * members (an event's content and the record built from it) can be hashed without walking the
 * shared values again. Members whose value is `undefined` are left out, as JSON would.
 *
 * @throws {CanonicalJsonError} when a member has no canonical form.
 */
export function canonicalMembers (object: Readonly<Record<string, unknown>>): Map<string, string> {
  const members = new Map<string, string>()
  for (const key of Object.keys(object)) {
    const value = object[key]
    if (value === undefined) continue
    members.set(key, canonicalJson(value))
  }
  return members
}

/**
 * The canonical JSON of the object made of `members`: RFC 8785 §3.2.3 orders members by the
 * UTF-16 code units of their names (what `Array.prototype.sort` does for strings) and writes
 * each as `name:value` with no whitespace. Equal to `canonicalJson` of that object.
 *
 * @throws {CanonicalJsonError} when a member name has no canonical form (a lone surrogate).
 */
export function joinCanonicalMembers (members: CanonicalMembers): string {
  const keys = [...members.keys()].sort()
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    out += (i === 0 ? '' : ',') + canonicalJson(key) + ':' + members.get(key)!
  }
  return out + '}'
}
