import { createHash } from 'node:crypto'
import { CompactRange, leafHash, nodeHash, nodeLocation, type NodeReader } from '../../../src/core/merkle/index.js'

/** Naive recursive RFC 6962 MTH over leaf data, the reference to test against. */
export function naiveRoot (leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest()
  if (leaves.length === 1) return leafHash(leaves[0] as Buffer)
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)))
}

/**
 * In-memory tree that stores perfect-subtree hashes exactly as the storage
 * contract says: by (seq, offset) from CompactRange.append's return value.
 */
export class MemoryTree {
  readonly range = CompactRange.empty()
  readonly rows = new Map<number, Buffer[]>() // seq -> completed hashes
  readonly leaves: Buffer[] = []
  reads = 0

  append (data: Buffer): void {
    this.leaves.push(data)
    this.rows.set(this.range.size + 1, this.range.append(leafHash(data)))
  }

  readonly read: NodeReader = async (nodes) => {
    this.reads++
    return nodes.map(({ level, index }) => {
      const { seq, offset } = nodeLocation(level, index)
      const hash = this.rows.get(seq)?.[offset]
      if (hash === undefined) throw new Error(`node (${level}, ${index}) not stored`)
      return hash
    })
  }
}

export function leafData (i: number): Buffer {
  return Buffer.from(`leaf-${i}`)
}
