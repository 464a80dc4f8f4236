// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) note bodies.
export { formatCheckpoint } from './format-checkpoint.js'
export { parseCheckpoint } from './parse-checkpoint.js'
export { CheckpointFormatError } from './checkpoint-format-error.js'
export type { CheckpointBody, ParsedCheckpoint } from './checkpoint-body.js'
