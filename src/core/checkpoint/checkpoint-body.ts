/** The essential content of a C2SP tlog checkpoint (the note text, unsigned). */
export interface CheckpointBody {
  /** Log identity, e.g. `example.com/audit/tenant-1`. */
  origin: string
  /** Number of leaves in the tree. */
  size: number
  /** RFC 6962 root of the tree at `size`, 32 bytes. */
  rootHash: Uint8Array
}

/** A parsed checkpoint, with any (opaque) extension lines. */
export interface ParsedCheckpoint extends CheckpointBody {
  rootHash: Buffer
  extensions: string[]
}
