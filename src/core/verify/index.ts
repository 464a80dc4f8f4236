/**
 * The log verifier: recomputes a log from its records (canonical bytes, chain, tree) and checks
 * every signed checkpoint against it, in constant memory.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './check-record-content.js'
export * from './checkpoint-queue.js'
export * from './log-verifier-types.js'
export * from './log-verifier.js'
export * from './read-checkpoint-note.js'
