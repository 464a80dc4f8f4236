import type { KeyObject } from 'node:crypto'

/** An Ed25519 signing identity for notes. */
export interface NoteSigner {
  /** Key name, e.g. the log origin `example.com/log`. */
  name: string
  /** Ed25519 private KeyObject. */
  privateKey: KeyObject
}
