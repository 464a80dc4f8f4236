import { readFileIfExists, replaceFile } from '../replace-file.js'

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
  const text = await readFileIfExists(path)
  if (text === undefined) return undefined
  const state = JSON.parse(text) as Partial<WitnessState>
  if (typeof state.origin !== 'string' || !Number.isSafeInteger(state.size) || typeof state.root_hash !== 'string' || typeof state.note !== 'string') {
    throw new Error(`${path} is not a witness state file`)
  }
  return state as WitnessState
}

/** Replaces the state file durably (see `replaceFile`): a crash never leaves a torn state. */
export async function writeWitnessState (path: string, state: WitnessState): Promise<void> {
  await replaceFile(path, JSON.stringify(state, null, 2) + '\n', 0o644)
}
