import { nodeHash } from './node-hash.js'
import { rootFromNodes } from './root-from-nodes.js'
import { assertSize, popcount } from './tree-math.js'

const HASH_LEN = 32

/**
 * The frontier of an append-only RFC 6962 tree of `size` leaves: the hashes
 * of the perfect subtrees in the binary decomposition of `size`, largest
 * (leftmost) first. O(log n) memory is enough to keep appending and to
 * compute the root, which is what a streaming verifier needs.
 */
export class CompactRange {
  #size: number
  readonly #hashes: Buffer[]

  private constructor (size: number, hashes: Buffer[]) {
    this.#size = size
    this.#hashes = hashes
  }

  /** Frontier of the empty tree. */
  static empty (): CompactRange {
    return new CompactRange(0, [])
  }

  /**
   * Rebuilds a frontier from stored hashes (e.g. read via `frontierNodes`).
   *
   * @throws {RangeError} unless there are popcount(size) hashes of 32 bytes.
   */
  static fromHashes (size: number, hashes: readonly Uint8Array[]): CompactRange {
    assertSize(size, 'size')
    const want = popcount(size)
    if (hashes.length !== want) {
      throw new RangeError(`tree of size ${size} needs ${want} frontier hashes, got ${hashes.length}`)
    }
    for (const h of hashes) {
      if (h.length !== HASH_LEN) throw new RangeError(`frontier hash must be ${HASH_LEN} bytes, got ${h.length}`)
    }
    return new CompactRange(size, hashes.map((h) => Buffer.from(h)))
  }

  /** Inverse of {@link CompactRange.toBuffer}. */
  static fromBuffer (size: number, buf: Uint8Array): CompactRange {
    assertSize(size, 'size')
    if (buf.length !== popcount(size) * HASH_LEN) {
      throw new RangeError(`tree of size ${size} needs ${popcount(size) * HASH_LEN} frontier bytes, got ${buf.length}`)
    }
    const hashes: Buffer[] = []
    for (let off = 0; off < buf.length; off += HASH_LEN) hashes.push(Buffer.from(buf.subarray(off, off + HASH_LEN)))
    return new CompactRange(size, hashes)
  }

  /** Number of leaves in the tree. */
  get size (): number {
    return this.#size
  }

  /** Frontier hashes, largest subtree first. Do not mutate the buffers. */
  get hashes (): readonly Buffer[] {
    return this.#hashes
  }

  /**
   * Appends one LEAF HASH (not leaf data) and returns every perfect subtree
   * hash this append completed, by level: `[leaf, level-1 node, ...]`.
   * Leaf index i completes 1 + (trailing one bits of i) subtrees; callers
   * persist them so proofs can later be served without rehashing
   * (see `nodeLocation`).
   */
  append (leaf: Uint8Array): Buffer[] {
    if (leaf.length !== HASH_LEN) throw new RangeError(`leaf hash must be ${HASH_LEN} bytes, got ${leaf.length}`)
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new RangeError('tree size would exceed safe integers')
    let acc: Buffer = Buffer.from(leaf)
    const completed = [acc]
    // Each trailing one bit of the old size is a same-sized left sibling
    // waiting on the frontier: merge until the carry stops.
    for (let n = this.#size; n % 2 === 1; n = (n - 1) / 2) {
      acc = nodeHash(this.#hashes.pop() as Buffer, acc)
      completed.push(acc)
    }
    this.#hashes.push(acc)
    this.#size++
    return completed
  }

  /** Tree root (RFC 6962 MTH); a copy of EMPTY_ROOT when empty. */
  root (): Buffer {
    return rootFromNodes(this.#hashes)
  }

  /** Frontier hashes concatenated, largest first (32 bytes each). */
  toBuffer (): Buffer {
    return Buffer.concat(this.#hashes)
  }

  /** Independent copy: appends to one do not affect the other. */
  clone (): CompactRange {
    return new CompactRange(this.#size, this.#hashes.map((h) => Buffer.from(h)))
  }
}
