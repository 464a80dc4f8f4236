type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * @fastify/swagger writes a route's wildcard as the path parameter `{*}`, which OpenAPI
 * tooling does not take for a parameter (`*` is no name). This names it: `{*}` becomes
 * `{<name>}` in the path and in its parameter. The route still matches the rest of the URL,
 * slashes included; a client that percent-encodes them (`%2F`) is decoded to the same path.
 */
export function nameWildcardParams<T> (document: T, name: string): T {
  const doc = document as unknown as Record<string, Json>
  if (!isObject(doc.paths)) return document
  const paths: Record<string, Json> = {}
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.endsWith('/{*}') || !isObject(item)) { paths[path] = item; continue }
    const renamed: Record<string, Json> = {}
    for (const [method, op] of Object.entries(item)) {
      renamed[method] = isObject(op) && Array.isArray(op.parameters)
        ? { ...op, parameters: op.parameters.map(p => isObject(p) && p.in === 'path' && p.name === '*' ? { ...p, name } : p) }
        : op
    }
    paths[`${path.slice(0, -'{*}'.length)}{${name}}`] = renamed
  }
  return { ...doc, paths } as unknown as T
}
