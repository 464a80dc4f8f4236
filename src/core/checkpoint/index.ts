/**
 * C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): formatting and parsing a
 * checkpoint, reading one out of a signed note, and each tenant's log origin.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './add-cosignatures.js'
export * from './checkpoint-body.js'
export * from './checkpoint-format-error.js'
export * from './checkpoint.js'
export * from './format-checkpoint.js'
export * from './log-origin.js'
export * from './origin-problem.js'
export * from './parse-checkpoint.js'
