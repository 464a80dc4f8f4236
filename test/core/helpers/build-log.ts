import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { canonicalBytes } from '../../../src/core/json/index.js'
import { GENESIS_HASH, chainHash } from '../../../src/core/chain/index.js'
import { formatCheckpoint } from '../../../src/core/checkpoint/index.js'
import { CompactRange, leafHash } from '../../../src/core/merkle/index.js'
import { formatVerifierKey, parseVerifierKey, publicKeyBytes, signNote, type ParsedVerifierKey } from '../../../src/core/note/index.js'
import type { VerifierRecord } from '../../../src/core/verify/index.js'

export const ORIGIN = 'audit.example/log/t'

export interface LogKey {
  privateKey: KeyObject
  verifier: ParsedVerifierKey
}

export function newLogKey (name = ORIGIN): LogKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { privateKey, verifier: parseVerifierKey(formatVerifierKey(name, publicKeyBytes(publicKey))) }
}

export function recordBody (seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, id: `rec-${seq}`, tenant: 't', seq, action: 'a.b', actor: { id: `u${seq % 7}` }, ...extra }
}

/** Chains canonical bodies into rows and records the tree root at every size. */
export function chainRows (bodies: Buffer[]): { rows: VerifierRecord[]; roots: Buffer[] } {
  const range = CompactRange.empty()
  const roots = [range.root()]
  let prev = GENESIS_HASH
  const rows = bodies.map((canonical, i) => {
    const hash = chainHash(prev, canonical)
    const row = { seq: i + 1, canonical, prevHash: prev, hash }
    prev = hash
    range.append(leafHash(canonical))
    roots.push(range.root())
    return row
  })
  return { rows, roots }
}

export function buildLog (n: number): { rows: VerifierRecord[]; roots: Buffer[] } {
  return chainRows(Array.from({ length: n }, (_, i) => canonicalBytes(recordBody(i + 1))))
}

export function checkpoint (key: LogKey, size: number, root: Buffer, origin = ORIGIN): { size: number; note: string } {
  const text = formatCheckpoint({ origin, size, rootHash: root })
  return { size, note: signNote(text, { name: key.verifier.name, privateKey: key.privateKey }) }
}
