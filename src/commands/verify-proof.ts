import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { processIo, type CommandIo } from './command-io.js'
import { parseVerifierKey } from '../core/note/index.js'
import { ProofCheckError } from '../proofs/proof-check-error.js'
import { readNoteInput, readProofInput, readRecordInput } from '../proofs/read-proof-input.js'
import { verifyConsistencyDocument } from '../proofs/verify-consistency-document.js'
import { verifyReceipt } from '../proofs/verify-receipt.js'
import { verifyTlogProof } from '../proofs/verify-tlog-proof.js'
import { readPublishedKeys } from './published-keys.js'

const usage = `usage: audit-service verify-proof <file> (--key <verifier key> [--key ...] | --keys <keys.json>) [--origin <origin>]
         [--record <record.json>] [--receipt <receipt>] [--checkpoint <old checkpoint>] [--json]

<file> is recognised from its content:
  a C2SP tlog-proof (GET /audit-events/{id}/proof?format=tlog-proof, or that route's JSON):
      the checkpoint is signed by a --key, and the record (carried in the proof, or --record)
      is leaf <index> of its tree. With --receipt, the record is also the one the receipt
      was issued for: the accepted event is in the log.
  a receipt (the "receipt" of a 202 answer, or the whole answer as JSON): signed by a --key;
      with --record, issued for that record (same id, received_at, tenant, and SHA-256 of
      the record without seq).
  a consistency proof (GET /proofs/consistency JSON): the tree at "to" extends the tree at
      "from". Give --checkpoint: the checkpoint you kept at "from" (else the proof's own).

A tenant's keys are named after its log's origin: get them from
GET /.well-known/audit-log-keys?tenant=<tenant>, and pass each with --key, or the saved answer
with --keys (which also pins its origin).
--origin pins the log (e.g. audit-service.local/default). Exits 0 only when it verifies,
1 when it does not, 2 when the input cannot be read.`

async function readText (file: string): Promise<string> {
  return await readFile(file, 'utf8')
}

/** `audit-service verify-proof`: checks receipts, tlog-proofs and consistency proofs offline. */
export async function verifyProof (args: string[], io: CommandIo = processIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        key: { type: 'string', multiple: true },
        keys: { type: 'string' },
        origin: { type: 'string' },
        record: { type: 'string' },
        receipt: { type: 'string' },
        checkpoint: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    })
  } catch (err) {
    io.err(`${(err as Error).message}\n${usage}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help === true || positionals.length !== 1 || (values.key === undefined && values.keys === undefined)) {
    io.err(usage + '\n')
    return values.help === true ? 0 : 2
  }

  let verifiers, input, record, receipt, oldCheckpoint, origin
  try {
    const published = values.keys === undefined ? undefined : await readPublishedKeys(values.keys)
    verifiers = [...values.key ?? [], ...published?.keys ?? []].map(k => parseVerifierKey(k))
    origin = values.origin ?? published?.origin
    input = readProofInput(await readText(positionals[0]!))
    if (input === undefined) throw new Error(`${positionals[0]} is not a tlog-proof, a receipt or a consistency proof`)
    if (values.record !== undefined) {
      record = readRecordInput(await readText(values.record))
      if (record === undefined) throw new Error(`${values.record} is not a JSON record`)
    }
    if (values.receipt !== undefined) receipt = readNoteInput(await readText(values.receipt))
    if (values.checkpoint !== undefined) oldCheckpoint = readNoteInput(await readText(values.checkpoint))
    if (oldCheckpoint !== undefined && input.type !== 'consistency') throw new Error('--checkpoint goes with a consistency proof')
    if (input.type === 'consistency' && (record !== undefined || receipt !== undefined)) throw new Error('--record and --receipt go with a tlog-proof or a receipt')
    if (input.type === 'receipt' && receipt !== undefined) throw new Error('the file is a receipt already; --receipt goes with a tlog-proof')
  } catch (err) {
    io.err(`audit-service verify-proof: ${(err as Error).message}\n`)
    return 2
  }

  const common = { verifiers, ...(origin !== undefined && { origin }) }
  let facts: Record<string, unknown>
  let line: string
  try {
    if (input.type === 'inclusion') {
      const r = verifyTlogProof(input.tlogProof, { ...common, ...(record !== undefined && { record }), ...(receipt !== undefined && { receipt }) })
      facts = { ...r }
      line = `OK: event ${String(r.id)} is seq ${r.seq} (leaf ${r.leaf_index}) of ${r.origin} at tree size ${r.tree_size}, checkpoint signed by ${r.verified_by.join(', ')}` +
        (r.receipt_matches ? '; it is the record the receipt was issued for' : '')
    } else if (input.type === 'receipt') {
      const r = verifyReceipt(input.receipt, { ...common, ...(record !== undefined && { record }) })
      facts = { ...r }
      line = `OK: receipt of ${r.origin} for event ${r.id} received at ${r.received_at}, record SHA-256 ${r.record_sha256}` +
        (r.record_matches ? '; the record matches it' : ' (give --record to check a record against it)')
    } else {
      const r = verifyConsistencyDocument(input.document, { ...common, ...(oldCheckpoint !== undefined && { oldCheckpoint }) })
      facts = { ...r }
      line = `OK: ${r.origin} at size ${r.to} extends size ${r.from}, both checkpoints signed by a trusted key` +
        (r.own_checkpoint ? '' : ' (checked against the proof\'s own from_checkpoint; give --checkpoint with the one you kept)')
    }
  } catch (err) {
    if (!(err instanceof ProofCheckError)) throw err
    if (values.json === true) io.out(JSON.stringify({ valid: false, type: input.type, error: err.message }) + '\n')
    else io.out(`FAILED: ${err.message}\n`)
    return 1
  }
  if (values.json === true) io.out(JSON.stringify({ valid: true, type: input.type, ...facts }) + '\n')
  else io.out(line + '\n')
  return 0
}
