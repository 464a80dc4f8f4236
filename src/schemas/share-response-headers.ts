type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * @fastify/swagger copies a response header's definition into its `schema`, where `required`
 * is not a JSON Schema keyword of a string: this moves it onto the header object, where
 * OpenAPI reads it. A header defined the same way wherever it is sent becomes one component
 * (`components.headers`), so the document does not repeat it in every response.
 */
export function shareResponseHeaders<T> (document: T): T {
  const doc = document as unknown as Record<string, Json>
  if (!isObject(doc.paths)) return document
  const lifted = (h: Json): Json => {
    if (!isObject(h) || !isObject(h.schema) || typeof h.schema.required !== 'boolean') return h
    const { required, ...schema } = h.schema
    return { ...h, required, schema }
  }
  const mapHeaders = (node: Json, fn: (name: string, h: Json) => Json): Json => {
    if (Array.isArray(node)) return node.map(n => mapHeaders(n, fn))
    if (!isObject(node)) return node
    const out: Record<string, Json> = {}
    for (const [key, value] of Object.entries(node)) {
      if (key === 'headers' && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, h]) => [name, fn(name, h)]))
      else out[key] = key === 'example' || key === 'examples' ? value : mapHeaders(value, fn)
    }
    return out
  }
  const variants = new Map<string, Set<string>>()
  const paths = mapHeaders(doc.paths, (name, h) => {
    const header = lifted(h)
    variants.set(name, (variants.get(name) ?? new Set()).add(JSON.stringify(header)))
    return header
  })
  const shared: Record<string, Json> = {}
  for (const [name, texts] of variants) if (texts.size === 1) shared[name] = JSON.parse([...texts][0]!) as Json
  const linked = mapHeaders(paths, (name, h) => shared[name] !== undefined ? { $ref: `#/components/headers/${name}` } : h)
  const components = isObject(doc.components) ? doc.components : {}
  return { ...doc, paths: linked, components: { ...components, headers: shared } } as unknown as T
}
