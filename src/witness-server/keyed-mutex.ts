/**
 * Runs async sections one at a time per key, in arrival order; different keys run in
 * parallel. A witness holds an origin's section from reading its recorded tree until the new
 * one is on disk: two add-checkpoint requests judged against the same recorded tree could
 * otherwise both be cosigned, one of them a rollback (the race tlog-witness describes).
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>()

  async run<T> (key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    let release = (): void => {}
    const done = new Promise<void>(resolve => { release = resolve })
    const tail = previous.then(() => done)
    this.#tails.set(key, tail)
    await previous
    try {
      return await section()
    } finally {
      release()
      // The last one out leaves no entry behind: a witness of many quiet logs keeps no map of them.
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
