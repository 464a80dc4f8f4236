import { Type } from 'typebox'
import { exampleConsistencyProof, exampleEventId, exampleInclusionProof } from './examples.js'
import { TenantParam } from './tenant.js'

const Base64Hash = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: 'Base64 (standard, padded) 32-byte SHA-256 hash' })
const EventId = Type.String({ pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$', description: 'Event id (UUID)', examples: [exampleEventId] })

export const InclusionProofParams = Type.Object({ id: EventId })

export const InclusionProofQuery = Type.Object({
  tenant: Type.Optional(TenantParam),
  tree_size: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Tree size to prove inclusion in: at least the event\'s seq and at most the log\'s current size (default: the latest checkpoint)', examples: [4] })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('tlog-proof')], { description: 'json, or tlog-proof: the C2SP tlog-proof alone, as text/plain; overrides Accept. Without it, Accept chooses (JSON when it allows both)', examples: ['tlog-proof'] }))
}, { additionalProperties: false })

export const InclusionProof = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  origin: Type.String({ description: 'The log: first line of its checkpoints' }),
  seq: Type.Integer(),
  leaf_index: Type.Integer({ description: '`seq - 1`' }),
  tree_size: Type.Integer(),
  leaf_hash: Base64Hash,
  root_hash: Type.String({ description: 'Base64 RFC 6962 root of the tree of `tree_size`, from the stored subtree hashes (the signed one is in `checkpoint`)' }),
  inclusion_proof: Type.Array(Base64Hash, { description: 'RFC 9162 §2.1.3 inclusion proof, from the leaf\'s sibling up' }),
  checkpoint: Type.Optional(Type.String({ description: 'The signed checkpoint at `tree_size` (C2SP signed note); absent when none was signed at that size' })),
  tlog_proof: Type.Optional(Type.String({ description: 'C2SP tlog-proof: `extra` carries the canonical record, then the index, the proof and the checkpoint. Present with `checkpoint`.' }))
}, {
  $id: 'InclusionProof',
  examples: [exampleInclusionProof],
  description: 'Proof that an event is in its tenant\'s log. Verify offline with `npx audit-service verify-proof`.'
})

export const ConsistencyProofQuery = Type.Object({
  tenant: Type.Optional(TenantParam),
  from: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The older tree size (e.g. of a checkpoint you kept)', examples: [2] }),
  to: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The newer tree size, at most the log\'s current size (default: the latest checkpoint)', examples: [4] }))
}, { additionalProperties: false })

export const ConsistencyProof = Type.Object({
  tenant: Type.String(),
  origin: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  from_root: Base64Hash,
  to_root: Base64Hash,
  proof: Type.Array(Base64Hash, { description: 'RFC 9162 §2.1.4 consistency proof; empty when from = to' }),
  from_checkpoint: Type.Optional(Type.String({ description: 'The signed checkpoint at `from`, when one was signed at that size' })),
  to_checkpoint: Type.Optional(Type.String({ description: 'The signed checkpoint at `to`, when one was signed at that size' }))
}, {
  $id: 'ConsistencyProof',
  examples: [exampleConsistencyProof],
  description: 'Proof that the tree of size `to` extends the tree of size `from`. Check it against the checkpoint you kept, not against `from_root`: `npx audit-service verify-proof proof.json --checkpoint old.checkpoint --key …`.'
})
