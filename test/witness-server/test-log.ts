import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { formatCheckpoint } from '../../src/core/checkpoint/index.js'
import { consistencyProof, type NodeReader } from '../../src/core/merkle/index.js'
import { formatVerifierKey, publicKeyBytes, signNote } from '../../src/core/note/index.js'
import { formatAddCheckpointRequest } from '../../src/core/witness/index.js'
import { MemoryTree, leafData } from '../core/helpers/memory-tree.js'

/**
 * A C2SP log made up in the test: any origin, any Ed25519 key, leaves in memory. A witness
 * that cosigns it witnesses a log that is not audit-service.
 */
export class TestLog {
  readonly origin: string
  readonly privateKey: KeyObject
  readonly verifierKey: string
  readonly tree = new MemoryTree()
  readonly roots: Buffer[] = []

  constructor (origin: string, { privateKey = generateKeyPairSync('ed25519').privateKey, leaf = leafData }: { privateKey?: KeyObject, leaf?: (i: number) => Buffer } = {}) {
    this.origin = origin
    this.privateKey = privateKey
    this.verifierKey = formatVerifierKey(origin, publicKeyBytes(privateKey))
    this.roots.push(this.tree.range.root())
    this.leaf = leaf
  }

  readonly leaf: (i: number) => Buffer

  /** Grows the tree to `size` leaves. */
  grow (size: number): this {
    while (this.tree.leaves.length < size) {
      this.tree.append(this.leaf(this.tree.leaves.length))
      this.roots.push(this.tree.range.root())
    }
    return this
  }

  body (size: number): string {
    return formatCheckpoint({ origin: this.origin, size, rootHash: this.roots[size]! })
  }

  /** The signed checkpoint at `size` (by this log's key unless another signer is given). */
  note (size: number, signer: { name: string, privateKey: KeyObject } = { name: this.origin, privateKey: this.privateKey }): string {
    return signNote(this.body(size), signer)
  }

  async proof (from: number, to: number): Promise<Buffer[]> {
    return from === 0 ? [] : await consistencyProof(from, to, this.tree.read as NodeReader)
  }

  /** An add-checkpoint body from `old` to `size`, with a valid proof and signature. */
  async request (old: number, size: number): Promise<string> {
    return formatAddCheckpointRequest({ oldSize: old, proof: await this.proof(old, size), note: this.note(size) })
  }
}

export interface Answer {
  status: number
  type: string
  text: string
}

/** POSTs an add-checkpoint body over real HTTP. */
export async function addCheckpoint (url: string, body: string | Buffer, contentType = 'text/plain'): Promise<Answer> {
  const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body, headers: { 'content-type': contentType } })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}
