import type { StoredCheckpointRow } from '../store/pg-log-reader.js'

/**
 * Walks pages of checkpoints (ascending size) one at a time, so a caller streaming records
 * can take those it has reached; `nextSize` is known without a read once a page is loaded.
 */
export class CheckpointCursor {
  readonly #pages: AsyncIterator<StoredCheckpointRow[]>
  #page: StoredCheckpointRow[] = []
  #at = 0
  #done = false

  constructor (pages: AsyncIterable<StoredCheckpointRow[]>) {
    this.#pages = pages[Symbol.asyncIterator]()
  }

  /**
   * The size of the next checkpoint if its page is loaded, 0 when the next page must be read
   * (so any caller asks), undefined when none is left: a clock-free check per record.
   */
  get nextSize (): number | undefined {
    if (this.#at < this.#page.length) return this.#page[this.#at]!.size
    return this.#done ? undefined : 0
  }

  /** The next checkpoint if its size is at most `size`. */
  async nextUpTo (size: number): Promise<StoredCheckpointRow | undefined> {
    if (this.#at >= this.#page.length) {
      if (this.#done) return undefined
      const next = await this.#pages.next()
      if (next.done === true) {
        this.#done = true
        this.#page = []
        this.#at = 0
        return undefined
      }
      this.#page = next.value
      this.#at = 0
    }
    const c = this.#page[this.#at]
    if (c === undefined || c.size > size) return undefined
    this.#at++
    return c
  }

  async close (): Promise<void> {
    this.#done = true
    await this.#pages.return?.()
  }
}
