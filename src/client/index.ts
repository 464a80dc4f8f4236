// The producer side of audit-service: `import { createAuditClient, auditTrail } from 'audit-service/client'`.
export { createAuditClient, AuditClientError, type AuditClient, type AuditClientOptions, type AuditEvent, type Accepted } from './create-audit-client.js'
export { default as auditTrail, type AuditTrailOptions } from './audit-trail-plugin.js'
