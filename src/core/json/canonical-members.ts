import { canonicalJson } from './canonical-json.js'

/** An object's members, each already in canonical form (RFC 8785) as `"name":value`, by name. */
export type CanonicalMembers = ReadonlyMap<string, string>

/**
 * One member in canonical form: the name's JSON string, a colon, the value's canonical JSON.
 *
 * @throws {CanonicalJsonError} when the name or the value has no canonical form.
 */
export function canonicalMember (name: string, value: unknown): string {
  return `${canonicalJson(name)}:${canonicalJson(value)}`
}

/**
 * Canonicalizes each member of `object` once, so that several objects sharing most of their
 * members (an event's content and the record built from it) can be hashed without walking the
 * shared values again. Members whose value is `undefined` are left out, as JSON would.
 *
 * @throws {CanonicalJsonError} when a member has no canonical form.
 */
export function canonicalMembers (object: Readonly<Record<string, unknown>>): Map<string, string> {
  const members = new Map<string, string>()
  for (const name of Object.keys(object)) {
    const value = object[name]
    if (value !== undefined) members.set(name, canonicalMember(name, value))
  }
  return members
}

/**
 * The canonical JSON of the object made of `members`: RFC 8785 §3.2.3 orders members by the
 * UTF-16 code units of their names (what `Array.prototype.sort` does for strings), with no
 * whitespace. Equal to `canonicalJson` of that object.
 */
export function joinCanonicalMembers (members: CanonicalMembers): string {
  const names = [...members.keys()].sort()
  let out = '{'
  for (let i = 0; i < names.length; i++) out += (i === 0 ? '' : ',') + members.get(names[i]!)!
  return out + '}'
}
