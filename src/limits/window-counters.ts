/** One key's fixed window, as this instance knows it. */
export interface WindowEntry {
  readonly key: string
  /** The count in Redis after our last sync: other instances' hits included. */
  synced: number
  /** Hits sent in the sync now in flight, not yet in `synced`. */
  inFlight: number
  /** Hits admitted here since the last sync was sent. */
  pending: number
  /** When the window ends (Redis's PTTL as of the last sync; a guess before the first). */
  expiresAt: number
  windowMs: number
}

export interface Hit {
  entry: WindowEntry
  /** What the limiter compares with max: every hit known here, this one included. */
  current: number
  ttl: number
  /** This hit's place among the entry's pending hits (1 = the first since the last sync). */
  position: number
  /** Enough hits are unsynced that the count may be off by a fair share of what is left. */
  syncNow: boolean
}

export interface SyncItem {
  entry: WindowEntry
  hits: number
}

/**
 * Per-key fixed-window counters kept in memory between syncs with a shared store, so that
 * the request path never waits for it. No I/O and no clock of its own: callers pass `now`.
 *
 * `earlySyncFraction` bounds how far one instance runs ahead of the shared count: once its
 * unsynced hits reach that fraction of what remains of the limit, the hit asks for a sync.
 */
export class WindowCounters {
  readonly #entries = new Map<string, WindowEntry>()
  readonly #dirty = new Set<WindowEntry>()

  constructor (readonly earlySyncFraction: number) {}

  get size (): number { return this.#entries.size }

  /** Counts `weight` hits at once (an expensive route counts as several requests). */
  hit (key: string, windowMs: number, max: number, now: number, weight = 1): Hit {
    let entry = this.#entries.get(key)
    if (entry === undefined || entry.expiresAt <= now) {
      // A new window. Once synced, our expiry is Redis's PTTL read after the fact, never
      // earlier than the key's: the hits counted from here go to a fresh key.
      entry = { key, synced: 0, inFlight: 0, pending: 0, expiresAt: now + windowMs, windowMs }
      this.#entries.set(key, entry)
    }
    entry.pending += weight
    this.#dirty.add(entry)
    const known = entry.synced + entry.inFlight
    // Past the limit on hits already counted: more hits only make it more so, and a refusal
    // needs no second opinion. They reach Redis with the next periodic sync.
    const syncNow = known < max && entry.pending >= Math.max(1, Math.floor(this.earlySyncFraction * (max - known)))
    return { entry, current: known + entry.pending, ttl: entry.expiresAt - now, position: entry.pending, syncNow }
  }

  /** The count and time left without counting a hit (`{ increment: false }`). */
  peek (key: string, now: number): { current: number, ttl: number } {
    const entry = this.#entries.get(key)
    if (entry === undefined || entry.expiresAt <= now) return { current: 0, ttl: 0 }
    return { current: entry.synced + entry.inFlight + entry.pending, ttl: entry.expiresAt - now }
  }

  /** Moves every key's pending hits in flight; one sync at a time, so none is in flight yet. */
  takeBatch (now: number): SyncItem[] {
    const items: SyncItem[] = []
    for (const entry of this.#dirty) {
      // Hits of a window that has ended (or was replaced) would count against the next one.
      if (entry.expiresAt <= now || this.#entries.get(entry.key) !== entry) continue
      items.push({ entry, hits: entry.pending })
      entry.inFlight += entry.pending
      entry.pending = 0
    }
    this.#dirty.clear()
    return items
  }

  /** The store's answer for each item: its count with our hits added, and its time left. */
  settle (items: SyncItem[], replies: Array<{ count: number, ttl: number }>, now: number): void {
    items.forEach(({ entry, hits }, i) => {
      const reply = replies[i]!
      entry.inFlight -= hits
      entry.synced = reply.count
      if (reply.ttl > 0) entry.expiresAt = now + reply.ttl
    })
  }

  /** The sync failed: its hits are pending again, for the next attempt. */
  restore (items: SyncItem[]): void {
    for (const { entry, hits } of items) {
      entry.inFlight -= hits
      entry.pending += hits
      this.#dirty.add(entry)
    }
  }

  /** Forgets keys whose window has ended: a later hit starts a new one anyway. */
  evict (now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now && entry.inFlight === 0) {
        this.#entries.delete(key)
        this.#dirty.delete(entry)
      }
    }
  }
}
