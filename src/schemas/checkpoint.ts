import { Type } from 'typebox'
import { exampleCheckpoint, exampleVerifierKeys } from './examples.js'

import { TenantParam } from './tenant.js'

export const Checkpoint = Type.Object({
  tenant: Type.String(),
  origin: Type.String({ description: 'First line of the checkpoint: the log\'s name' }),
  size: Type.Integer({ description: 'Tree size: the number of records covered' }),
  root_hash: Type.String({ description: 'Base64 RFC 6962 Merkle root at that size' }),
  note: Type.String({ description: 'The C2SP signed note (tlog-checkpoint), verbatim' }),
  created_at: Type.String({ format: 'date-time' })
}, {
  $id: 'Checkpoint',
  examples: [exampleCheckpoint]
})

export const Cosignature = Type.Object({
  witness: Type.String({ description: 'The witness\'s key as `<name>+<hex key id>` (its verifier key in WITNESSES)' }),
  signature_line: Type.String({ description: 'The C2SP cosignature/v1 note signature line `— <name> <base64>`, without its newline, as the witness returned it' }),
  cosigned_at: Type.String({ format: 'date-time', description: 'The time the cosignature states' })
})

export const CosignedCheckpoint = Type.Object({
  ...Checkpoint.properties,
  note: Type.String({ description: 'The C2SP signed note (tlog-checkpoint) as the log signed it; `cosigned_note` adds the cosignatures' }),
  cosigned_note: Type.String({ description: 'The note with every witness cosignature gathered appended as a signature line (C2SP tlog-cosignature): what `text/plain` serves. Open it with the log\'s verifier key, and with each witness\'s cosignature verifier key' }),
  cosignatures: Type.Array(Cosignature, { description: 'The witnesses\' cosignatures of this checkpoint (empty without WITNESSES, or before any answered)' })
}, {
  $id: 'CosignedCheckpoint',
  examples: [{ ...exampleCheckpoint, cosigned_note: exampleCheckpoint.note, cosignatures: [] }]
})

export const CheckpointList = Type.Object({
  checkpoints: Type.Array(Checkpoint)
}, { $id: 'CheckpointList', examples: [{ checkpoints: [exampleCheckpoint] }] })

export const LatestCheckpointQuery = Type.Object({
  tenant: Type.Optional(TenantParam),
  format: Type.Optional(Type.Union([Type.Literal('note'), Type.Literal('json')], { description: 'note (text/plain) or json; overrides Accept. Without it, Accept chooses (the note when it allows both)', examples: ['json'] }))
}, { additionalProperties: false })

export const CheckpointsQuery = Type.Object({
  tenant: Type.Optional(TenantParam),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Exactly this tree size', examples: [4] })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, examples: [10] }))
}, { additionalProperties: false })

export const VerifierKeysQuery = Type.Object({
  tenant: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'The log whose keys are meant: its concrete verifier keys, named after its origin. Any well-formed name answers (the keys are derived from it), so the answer says nothing about which tenants exist', examples: ['default'] }))
}, { additionalProperties: false })

export const VerifierKey = Type.Object({
  origin: Type.String({ description: 'The log\'s origin; `<origin_prefix>/<tenant>` (literally) for a key listed as a template. Without `?tenant=`, the entries of a public tenant (PUBLIC_TENANTS) have its origin' }),
  name: Type.String({ description: 'Key name in signature lines: the origin (C2SP tlog-checkpoint), or the legacy name (SIGNING_KEY_NAME) of notes signed before keys were named after origins' }),
  key_id: Type.Optional(Type.String({ description: 'Hex key id (first 4 bytes of SHA-256(name || 0x0A || 0x01 || key)); absent for a template, whose id depends on the tenant' })),
  verifier_key: Type.Optional(Type.String({ description: 'C2SP verifier key: <name>+<hex key id>+<base64(0x01 || key)>; absent for a template' })),
  public_key: Type.String({ description: 'Base64 of 0x01 || the 32 Ed25519 public key bytes (the verifier key\'s last part)' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('next'), Type.Literal('retired'), Type.Literal('legacy')], {
    description: 'active: signs now; next: a rotation\'s incoming key, signing beside the active one (notes carry both signatures); retired: signed before, signs no more; legacy: this key under the pre-origin name, for notes signed before'
  }),
  valid_from: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it began signing under this name (null: not recorded yet)' }),
  valid_until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it last signed under this name (null: it still signs)' })
})

export const VerifierKeys = Type.Object({
  keys: Type.Array(VerifierKey),
  origin_prefix: Type.String({ description: 'Checkpoint origins are <origin_prefix>/<tenant>, and so are the names of their keys' })
}, { $id: 'VerifierKeys', examples: [exampleVerifierKeys] })
