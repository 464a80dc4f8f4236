import { Type } from 'typebox'
import { exampleApiKeyInfo, exampleCreatedApiKey } from './examples.js'
import { TenantParam } from './tenant.js'

const ScopeSchema = Type.Union([Type.Literal('events:write'), Type.Literal('events:read'), Type.Literal('admin')])

export const ApiKeyInfo = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenant: Type.String(),
  name: Type.String(),
  scopes: Type.Array(ScopeSchema),
  prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revoked_reason: Type.Union([Type.String(), Type.Null()])
}, { $id: 'ApiKeyInfo', examples: [exampleApiKeyInfo] })

export const CreateApiKey = Type.Object({
  tenant: Type.Optional(TenantParam),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true })
}, { $id: 'CreateApiKey', additionalProperties: false, examples: [{ tenant: 'acme', name: 'billing-service', scopes: ['events:write'] }] })

export const CreatedApiKey = Type.Object({
  key: Type.String({ description: 'The API key. Shown this once: only its hash is stored.' }),
  info: ApiKeyInfo
}, { $id: 'CreatedApiKey', examples: [exampleCreatedApiKey] })

export const ApiKeyList = Type.Object({ keys: Type.Array(ApiKeyInfo) }, { $id: 'ApiKeyList', examples: [{ keys: [exampleApiKeyInfo] }] })

export const RevokeApiKey = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 512 })
}, { $id: 'RevokeApiKey', additionalProperties: false, examples: [{ reason: 'leaked in a CI log' }] })

export const KeyIdParams = Type.Object({ id: Type.String({ format: 'uuid', examples: [exampleApiKeyInfo.id] }) })
