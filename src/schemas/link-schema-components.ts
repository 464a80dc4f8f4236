type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** JSON text with sorted keys: equal for equal schemas, whatever their key order. */
function canonical (value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isObject(value)) return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonical(value[k]!)}`).join(',')}}`
  return JSON.stringify(value)
}

/** @fastify/swagger moves a schema's top-level `examples` to the media type: compare without them. */
function shapeOf (schema: JsonObject): string {
  const { examples: _examples, example: _example, ...rest } = schema
  return canonical(rest)
}

/**
 * Routes use the shared TypeBox schemas (the ones with an `$id`) as objects, so @fastify/swagger
 * writes them inline in every operation and lists them, unused, under components.schemas.
 * This replaces each inline copy, in the operations and inside other components, by a `$ref`
 * to the named component: the document says which operations share a type, and nothing in
 * components is left unused. A schema is replaced only when it is the component exactly
 * (examples aside, which the operation keeps on its media type).
 *
 * @example
 * await app.register(swagger, { openapi: { ... }, transformObject: ({ openapiObject }) => linkSchemaComponents(openapiObject) })
 */
export function linkSchemaComponents<T> (document: T): T {
  const doc = document as unknown as JsonObject
  const components = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {}
  // Two components may have one shape and differ only by their examples (two `{ reason }`
  // bodies, say): those are told apart by the examples the media type kept.
  const exact = new Map<string, string>()
  const byShape = new Map<string, string | null>()
  for (const [name, schema] of Object.entries(components)) {
    if (!isObject(schema)) continue
    exact.set(canonical(schema), name)
    const shape = shapeOf(schema)
    byShape.set(shape, byShape.has(shape) ? null : name)
  }
  if (exact.size === 0) return document
  const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` })

  /** The component a media type's schema was made from, its examples put back. */
  const mediaComponent = (media: JsonObject): string | undefined => {
    if (!isObject(media.schema)) return undefined
    const examples = 'example' in media
      ? [media.example!]
      : isObject(media.examples) ? Object.values(media.examples).map(e => isObject(e) ? e.value ?? null : null) : undefined
    return examples === undefined ? undefined : exact.get(canonical({ ...media.schema, examples }))
  }

  const link = (node: Json, owner?: string): Json => {
    if (Array.isArray(node)) return node.map(item => link(item, owner))
    if (!isObject(node)) return node
    const name = exact.get(canonical(node)) ?? byShape.get(shapeOf(node)) ?? undefined
    if (name !== undefined && name !== owner) return ref(name)
    const fromMedia = mediaComponent(node)
    const out: JsonObject = {}
    for (const [key, value] of Object.entries(node)) {
      // Examples are data, not schemas: an example that happens to look like a schema stays.
      out[key] = key === 'example' || key === 'examples' ? value : key === 'schema' && fromMedia !== undefined ? ref(fromMedia) : link(value, owner)
    }
    return out
  }

  const linked: JsonObject = { ...doc }
  if (isObject(doc.paths)) linked.paths = link(doc.paths)
  if (isObject(doc.components)) {
    const schemas: JsonObject = {}
    for (const [name, schema] of Object.entries(components)) {
      // The component itself stays whole; its nested schemas may point at other components.
      schemas[name] = isObject(schema)
        ? Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'example' || k === 'examples' ? v : link(v, name)]))
        : schema
    }
    linked.components = { ...doc.components, schemas }
  }
  return linked as unknown as T
}

/**
 * A response given with an explicit `content` (several media types, or text) keeps its
 * schema's `examples` inside the schema, where Swagger UI and linters look for none: this
 * copies the first one onto the media type as `example`, as @fastify/swagger does for the
 * others. A media type whose schema is a `$ref` takes its component's first example.
 */
export function hoistMediaExamples<T> (document: T): T {
  const doc = document as unknown as JsonObject
  const components = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {}
  const hoist = (media: Json): Json => {
    if (!isObject(media) || 'example' in media || 'examples' in media || !isObject(media.schema)) return media
    const schema = media.schema
    const ref = typeof schema.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1] : undefined
    const source = ref === undefined ? schema : components[ref]
    if (!isObject(source) || !Array.isArray(source.examples) || source.examples.length === 0) return media
    if (ref !== undefined) return { ...media, example: source.examples[0]! }
    const { examples, ...rest } = schema
    return { ...media, schema: rest, example: (examples as Json[])[0]! }
  }
  const hoistContent = (holder: Json): Json => isObject(holder) && isObject(holder.content)
    ? { ...holder, content: Object.fromEntries(Object.entries(holder.content).map(([type, media]) => [type, hoist(media)])) }
    : holder
  if (!isObject(doc.paths)) return document
  const paths: JsonObject = {}
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) { paths[path] = item; continue }
    paths[path] = Object.fromEntries(Object.entries(item).map(([method, op]) => {
      if (!isObject(op)) return [method, op]
      const out: JsonObject = { ...op }
      if (op.requestBody !== undefined) out.requestBody = hoistContent(op.requestBody)
      if (isObject(op.responses)) out.responses = Object.fromEntries(Object.entries(op.responses).map(([code, r]) => [code, hoistContent(r)]))
      return [method, out]
    }))
  }
  return { ...doc, paths } as unknown as T
}
