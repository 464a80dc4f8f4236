import { Ajv, type Options } from 'ajv'
import * as ajvFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; under nodenext its function arrives as the default export.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv

const common: Options = {
  // Unknown fields are an error the producer must hear about, never silently dropped.
  removeAdditional: false,
  useDefaults: false,
  allErrors: false,
  strict: false
}

function build (coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes })
  addFormats(ajv)
  return ajv
}

/**
 * Bodies are validated exactly as sent (a number is not a string, the hashed record is what
 * the producer wrote); query strings and params arrive as text, so they are coerced.
 */
export function createValidatorCompiler (): FastifySchemaCompiler<any> {
  const body = build(false)
  const text = build('array')
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object)
}
