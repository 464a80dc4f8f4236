import { createHash } from 'node:crypto'

/**
 * Root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
 * Shared instance: do not mutate.
 */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest()
