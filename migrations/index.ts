import type { Migration } from 'kysely'
import * as createAuditTables from './0001-create-audit-tables.js'
import * as appendOnlyTriggers from './0002-append-only-triggers.js'
import * as apiKeysAndReadIndexes from './0003-api-keys-and-read-indexes.js'
import * as idFirstUniqueKey from './0004-id-first-unique-key.js'
import * as apiKeyRevocationIsFinal from './0005-api-key-revocation-is-final.js'
import * as readIndexesByMeasurement from './0006-read-indexes-by-measurement.js'
import * as checkpointCosignatures from './0007-checkpoint-cosignatures.js'
import * as logKeys from './0008-log-keys.js'

// Listed statically (not read from disk) so the same code runs from TypeScript and from dist/.
export const migrations: Record<string, Migration> = {
  '0001-create-audit-tables': createAuditTables,
  '0002-append-only-triggers': appendOnlyTriggers,
  '0003-api-keys-and-read-indexes': apiKeysAndReadIndexes,
  '0004-id-first-unique-key': idFirstUniqueKey,
  '0005-api-key-revocation-is-final': apiKeyRevocationIsFinal,
  '0006-read-indexes-by-measurement': readIndexesByMeasurement,
  '0007-checkpoint-cosignatures': checkpointCosignatures,
  '0008-log-keys': logKeys
}
