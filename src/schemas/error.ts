import { Type } from 'typebox'
import { ERROR_CODES, errorBody, FASTIFY_ERROR_CODES, RequestValidationError } from '../errors.js'

// A real answer of the service, not a hand-written one that could drift from it.
const missingActorId = new RequestValidationError([{ field: '/actor/id', in: 'body', reason: 'required field is missing' }])

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: `Stable error code, listed with its status and meaning in README "Error codes": ${[...Object.keys(ERROR_CODES), ...Object.keys(FASTIFY_ERROR_CODES)].join(', ')}` }),
  error: Type.String(),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({
    field: Type.String({ description: 'JSON Pointer into the request part named by `in`' }),
    in: Type.String({ description: 'body, querystring, params or headers' }),
    reason: Type.String()
  })))
}, { $id: 'ErrorResponse', examples: [{ ...errorBody(missingActorId), errors: missingActorId.errors }] })
