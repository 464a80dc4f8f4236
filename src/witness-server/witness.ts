import { parseCheckpoint, type ParsedCheckpoint } from '../core/checkpoint/index.js'
import { NoteVerificationError, openNote, type NoteSigner, type ParsedVerifierKey } from '../core/note/index.js'
import { cosignCheckpoint, judgeAddCheckpoint, parseAddCheckpointRequest, type AddCheckpointRequest } from '../core/witness/index.js'
import { KeyedMutex } from './keyed-mutex.js'
import type { WitnessStore } from './witness-store.js'

/** A log this witness cosigns for: its origin and the C2SP verifier keys that may sign it. */
export interface WitnessedLog {
  origin: string
  verifiers: ParsedVerifierKey[]
}

export interface WitnessOptions {
  /** The witness's own key and name: it cosigns with them (cosignature/v1). */
  signer: NoteSigner
  logs: readonly WitnessedLog[]
  store: WitnessStore
  /** POSIX seconds; a test may fix it. */
  now?: () => number
}

/** An add-checkpoint answer, ready for HTTP. `refused` says why, for the witness's own log. */
export interface AddCheckpointAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422
  contentType: string
  body: string
  origin?: string
  refused?: string
}

const TEXT = 'text/plain; charset=utf-8'
const SIZE = 'text/x.tlog.size'

function refuse (status: AddCheckpointAnswer['status'], refused: string, origin?: string): AddCheckpointAnswer {
  return { status, contentType: TEXT, body: `${refused}\n`, refused, ...(origin !== undefined && { origin }) }
}

/**
 * A C2SP tlog-witness (https://c2sp.org/tlog-witness): cosigns a log's checkpoint when it is
 * signed by the log's key and provably extends the last one it cosigned for that origin, and
 * records it durably before answering. It never cosigns two inconsistent checkpoints for one
 * origin: requests per origin are judged one at a time against the recorded tree.
 */
export class Witness {
  readonly #signer: NoteSigner
  readonly #logs: Map<string, WitnessedLog>
  readonly #store: WitnessStore
  readonly #now: () => number
  readonly #mutex = new KeyedMutex()

  constructor (options: WitnessOptions) {
    this.#signer = options.signer
    this.#logs = new Map(options.logs.map(log => [log.origin, log]))
    this.#store = options.store
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000))
  }

  /** Answers one add-checkpoint request body. Bad input is a 4xx answer, never a throw; a storage failure throws. */
  async addCheckpoint (body: string): Promise<AddCheckpointAnswer> {
    let request: AddCheckpointRequest
    try {
      request = parseAddCheckpointRequest(body)
    } catch (err) {
      return refuse(400, (err as Error).message)
    }
    // The origin says which keys to check, so the checkpoint is read before the signatures:
    // the body of a signed note ends at its last blank line (as openNote splits it).
    const split = request.note.lastIndexOf('\n\n')
    let checkpoint: ParsedCheckpoint
    try {
      if (split < 0) throw new Error('no blank line before the signatures')
      checkpoint = parseCheckpoint(request.note.slice(0, split + 1))
    } catch (err) {
      return refuse(400, `not a signed checkpoint: ${(err as Error).message}`)
    }
    const { origin } = checkpoint
    const log = this.#logs.get(origin)
    if (log === undefined) return refuse(404, `unknown log origin ${JSON.stringify(origin)}`)
    let text: string
    try {
      text = openNote(request.note, log.verifiers).text
    } catch (err) {
      if (err instanceof NoteVerificationError && err.reason === 'malformed') return refuse(400, err.message, origin)
      return refuse(403, `no signature by a key of ${origin} verifies: ${(err as Error).message}`, origin)
    }
    return await this.#mutex.run(origin, async () => {
      const recorded = await this.#store.read(origin)
      const verdict = judgeAddCheckpoint(recorded === undefined ? undefined : { size: recorded.size, rootHash: Buffer.from(recorded.root_hash, 'base64') },
        request.oldSize, request.proof, checkpoint)
      switch (verdict.kind) {
        case 'bad-request': return refuse(400, verdict.reason, origin)
        case 'inconsistent': return refuse(422, verdict.reason, origin)
        case 'conflict':
          // Only a wrong old size answers with the size, so a client never "retries" a fork.
          return request.oldSize === verdict.size
            ? refuse(409, verdict.reason, origin)
            : { status: 409, contentType: SIZE, body: `${verdict.size}\n`, origin, refused: verdict.reason }
        case 'cosign': break
      }
      const now = this.#now()
      if (verdict.record) {
        await this.#store.write({ origin, size: checkpoint.size, root_hash: checkpoint.rootHash.toString('base64'), note: request.note, cosigned_at: new Date(now * 1000).toISOString() })
      }
      return { status: 200, contentType: TEXT, body: cosignCheckpoint(text, this.#signer, now), origin }
    })
  }
}
