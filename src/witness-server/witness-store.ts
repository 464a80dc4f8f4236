import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { readFileIfExists, replaceFile } from '../replace-file.js'

/** What a witness recorded for one log: the latest checkpoint it cosigned. */
export interface RecordedCheckpoint {
  origin: string
  size: number
  /** Base64 root hash. */
  root_hash: string
  /** The signed checkpoint as the log sent it: evidence the log signed this tree. */
  note: string
  cosigned_at: string
}

/**
 * A witness's state, one small JSON file per origin in a directory (named after the origin's
 * SHA-256, so any origin is a safe file name). A new state is written aside, flushed to disk,
 * renamed over the old one and the directory flushed: after `write` resolves, a crash or a
 * power loss leaves the new state, never the old one and never a torn file. One process per
 * directory (see `lockStateDir`).
 */
export class WitnessStore {
  readonly dir: string

  constructor (dir: string) {
    this.dir = dir
  }

  static async open (dir: string): Promise<WitnessStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    return new WitnessStore(dir)
  }

  path (origin: string): string {
    return join(this.dir, `${createHash('sha256').update(origin, 'utf8').digest('hex')}.json`)
  }

  /** The recorded checkpoint, or undefined before the first cosignature. @throws on an unreadable or foreign file */
  async read (origin: string): Promise<RecordedCheckpoint | undefined> {
    const path = this.path(origin)
    const text = await readFileIfExists(path)
    if (text === undefined) return undefined
    const state = JSON.parse(text) as Partial<RecordedCheckpoint>
    if (state.origin !== origin || !Number.isSafeInteger(state.size) || typeof state.root_hash !== 'string' || typeof state.note !== 'string') {
      // Never treat a damaged file as "no state": that would cosign anything for this origin.
      throw new Error(`${path} is not this witness's state for ${JSON.stringify(origin)}`)
    }
    return state as RecordedCheckpoint
  }

  /** Replaces the origin's state durably (see the class). */
  async write (state: RecordedCheckpoint): Promise<void> {
    await replaceFile(this.path(state.origin), JSON.stringify(state, null, 2) + '\n')
  }
}
