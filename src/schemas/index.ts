import { AcceptedBatch, AcceptedEvent, AuditEventBatchInput, AuditEventInput } from './audit-event.js'
import { ApiKeyInfo, ApiKeyList, CreateApiKey, CreatedApiKey, RevokeApiKey } from './api-key.js'
import { EventPage, StoredEvent, StoredRecord } from './audit-event-read.js'
import { DeadLetter, DeadLetterList, DiscardDeadLetter, RetriedDeadLetters } from './dead-letter.js'
import { ErrorResponse } from './error.js'
import { Checkpoint, CheckpointList, CosignedCheckpoint, VerifierKeys } from './checkpoint.js'
import { HealthResponse, LiveResponse } from './health.js'
import { ConsistencyProof, InclusionProof } from './proof.js'
import { VerifyResponse } from './verification.js'

/** Every schema with an `$id`, registered once so the OpenAPI document names them. */
export const sharedSchemas = [AuditEventInput, AuditEventBatchInput, AcceptedEvent, AcceptedBatch, ErrorResponse, HealthResponse, LiveResponse, Checkpoint, CosignedCheckpoint, CheckpointList, VerifierKeys, VerifyResponse, ApiKeyInfo, ApiKeyList, CreateApiKey, CreatedApiKey, RevokeApiKey, StoredRecord, StoredEvent, EventPage, DeadLetter, DeadLetterList, DiscardDeadLetter, RetriedDeadLetters, InclusionProof, ConsistencyProof]
