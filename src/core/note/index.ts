/**
 * C2SP signed notes (https://c2sp.org/signed-note): Ed25519 signing and verification, key ids,
 * verifier keys in `<name>+<key id>+<base64 key>` form, for logs (type 0x01) and for witnesses'
 * cosignature/v1 keys (type 0x04, https://c2sp.org/tlog-cosignature).
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './cosignature-key-id.js'
export * from './decode-base64.js'
export * from './format-cosignature-verifier-key.js'
export * from './format-verifier-key.js'
export * from './has-valid-note-chars.js'
export * from './is-valid-key-name.js'
export * from './key-name-problem.js'
export * from './note-key-error.js'
export * from './note-key-id.js'
export * from './note-signer.js'
export * from './note-verification-error.js'
export * from './open-note.js'
export * from './parse-cosignature-verifier-key.js'
export * from './parse-signature-line.js'
export * from './parse-verifier-key.js'
export * from './parsed-cosignature-verifier-key.js'
export * from './parsed-verifier-key.js'
export * from './public-key-bytes.js'
export * from './read-verifier-key.js'
export * from './sign-note.js'
export * from './signed-note.js'
export * from './split-signed-note.js'
