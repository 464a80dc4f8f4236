import { Type } from 'typebox'

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable error code, e.g. AUDIT_ERR_VALIDATION' }),
  error: Type.String(),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({
    field: Type.String({ description: 'JSON Pointer into the request part named by `in`' }),
    in: Type.String({ description: 'body, querystring, params or headers' }),
    reason: Type.String()
  })))
}, { $id: 'ErrorResponse', examples: [{ statusCode: 400, code: 'AUDIT_ERR_VALIDATION', error: 'Bad Request', message: 'body/actor/id: must have required property', errors: [{ field: '/actor/id', in: 'body', reason: 'required property is missing' }] }] })
