/**
 * A bounded set of recently seen strings, forgotten after a while: two generations, the
 * current one taking additions and the previous one still answering `has`. A generation is
 * retired after `generationMs` or once it holds `maxPerGeneration` entries, so an entry is
 * remembered at most 2 × `generationMs` and the set never holds more than
 * 2 × `maxPerGeneration` entries, whatever is added. No I/O; callers pass `now`.
 */
export class RecentSet {
  #current = new Set<string>()
  #previous = new Set<string>()
  #started = -Infinity

  constructor (readonly generationMs: number, readonly maxPerGeneration: number) {}

  get size (): number { return this.#current.size + this.#previous.size }

  has (value: string, now: number): boolean {
    this.#rotate(now)
    return this.#current.has(value) || this.#previous.has(value)
  }

  add (value: string, now: number): void {
    this.#rotate(now)
    if (this.#current.size >= this.maxPerGeneration) this.#retire(now)
    this.#current.add(value)
  }

  delete (value: string): void {
    this.#current.delete(value)
    this.#previous.delete(value)
  }

  clear (): void {
    this.#current.clear()
    this.#previous.clear()
  }

  #rotate (now: number): void {
    if (now - this.#started < this.generationMs) return
    // Both generations are older than generationMs once two have passed.
    if (now - this.#started >= 2 * this.generationMs) {
      this.#current.clear()
      this.#retire(now)
    } else {
      // Generations keep their length even when nothing asked at their end.
      this.#retire(this.#started + this.generationMs)
    }
  }

  #retire (start: number): void {
    const old = this.#previous
    this.#previous = this.#current
    this.#current = old
    this.#current.clear()
    this.#started = start
  }
}
