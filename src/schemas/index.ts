import { AcceptedBatch, AcceptedEvent, AuditEventBatchInput, AuditEventInput } from './audit-event.js'
import { ErrorResponse } from './error.js'
import { Checkpoint, CheckpointList, VerifierKeys } from './checkpoint.js'
import { HealthResponse, LiveResponse } from './health.js'
import { VerifyResponse } from './verification.js'

/** Every schema with an `$id`, registered once so the OpenAPI document names them. */
export const sharedSchemas = [AuditEventInput, AuditEventBatchInput, AcceptedEvent, AcceptedBatch, ErrorResponse, HealthResponse, LiveResponse, Checkpoint, CheckpointList, VerifierKeys, VerifyResponse]
