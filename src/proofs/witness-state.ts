import { randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'

/** What a witness remembers of a log: the last checkpoint it verified, verbatim. */
export interface WitnessState {
  origin: string
  size: number
  /** Base64 root of that checkpoint. */
  root_hash: string
  /** The signed checkpoint note: evidence the log signed this tree. */
  note: string
  checked_at: string
}

/** The stored state, or undefined when the file does not exist yet. @throws on an unreadable file */
export async function readWitnessState (path: string): Promise<WitnessState | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const state = JSON.parse(text) as Partial<WitnessState>
  if (typeof state.origin !== 'string' || !Number.isSafeInteger(state.size) || typeof state.root_hash !== 'string' || typeof state.note !== 'string') {
    throw new Error(`${path} is not a witness state file`)
  }
  return state as WitnessState
}

/** Replaces the state file atomically (written aside, then renamed over it). */
export async function writeWitnessState (path: string, state: WitnessState): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 })
  await rename(temp, path)
}
