type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * @fastify/swagger names a response's examples `example1`, `example2`...: an error example is
 * named after its code instead, so /docs lists `AUDIT_ERR_ID_CONFLICT`, not `example1`.
 */
export function nameErrorExamples<T> (document: T): T {
  const doc = document as unknown as Record<string, Json>
  if (!isObject(doc.paths)) return document
  const rename = (examples: Record<string, Json>): Record<string, Json> => {
    const codes = Object.values(examples).map(e => isObject(e) && isObject(e.value) && typeof e.value.code === 'string' ? e.value.code : undefined)
    if (codes.some(c => c === undefined)) return examples
    const seen = new Map<string, number>()
    return Object.fromEntries(Object.values(examples).map((e, i) => {
      const n = (seen.get(codes[i]!) ?? 0) + 1
      seen.set(codes[i]!, n)
      return [n === 1 ? codes[i]! : `${codes[i]!} (${n})`, e]
    }))
  }
  const paths: Record<string, Json> = {}
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) {
      paths[path] = item
      continue
    }
    paths[path] = Object.fromEntries(Object.entries(item).map(([method, op]) => {
      if (!isObject(op) || !isObject(op.responses)) return [method, op]
      const responses = Object.fromEntries(Object.entries(op.responses).map(([status, r]) => {
        if (!isObject(r) || !isObject(r.content)) return [status, r]
        const content = Object.fromEntries(Object.entries(r.content).map(([type, media]) =>
          [type, isObject(media) && isObject(media.examples) ? { ...media, examples: rename(media.examples) } : media]))
        return [status, { ...r, content }]
      }))
      return [method, { ...op, responses }]
    }))
  }
  return { ...doc, paths } as unknown as T
}
