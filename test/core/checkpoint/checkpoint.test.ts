import t from 'tap'
import { CheckpointFormatError, formatCheckpoint, parseCheckpoint } from '../../../src/core/checkpoint/index.js'

const ROOT = Buffer.alloc(32, 7)
const ROOT_B64 = ROOT.toString('base64')

t.test('format and parse round trip', async (t) => {
  const text = formatCheckpoint({ origin: 'audit.example/t1', size: 20852163, rootHash: ROOT })
  t.equal(text, `audit.example/t1\n20852163\n${ROOT_B64}\n`)
  const cp = parseCheckpoint(text)
  t.same(cp, { origin: 'audit.example/t1', size: 20852163, rootHash: ROOT, extensions: [] })
  t.same(parseCheckpoint(`o\n0\n${ROOT_B64}\next one\next two\n`).extensions, ['ext one', 'ext two'])
  // The example from c2sp.org/tlog-checkpoint.
  const spec = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n')
  t.equal(spec.size, 20852163)
  t.equal(spec.rootHash.length, 32)
})

t.test('parsing is strict', async (t) => {
  const bad = [
    ['missing final newline', `o\n1\n${ROOT_B64}`],
    ['too few lines', 'o\n1\n'],
    ['empty origin', `\n1\n${ROOT_B64}\n`],
    ['origin with a space (the first line of a receipt batch note)', `audit-service receipt batch v2\n1\n${ROOT_B64}\n`],
    ['origin with a no-break space', `a\u00a0b\n1\n${ROOT_B64}\n`],
    ['leading zero', `o\n01\n${ROOT_B64}\n`],
    ['sign', `o\n+1\n${ROOT_B64}\n`],
    ['not decimal', `o\n1e3\n${ROOT_B64}\n`],
    ['beyond safe integers', `o\n9007199254740993\n${ROOT_B64}\n`],
    ['short root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['unpadded root', `o\n1\n${ROOT_B64.replace(/=+$/, '')}\n`],
    ['empty extension line', `o\n1\n${ROOT_B64}\n\nx\n`],
  ] as const
  for (const [what, text] of bad) {
    t.throws(() => parseCheckpoint(text), { name: 'CheckpointFormatError', code: 'AUDIT_ERR_CHECKPOINT' }, what)
  }
})

t.test('formatting validates its input', async (t) => {
  t.throws(() => formatCheckpoint({ origin: '', size: 1, rootHash: ROOT }), CheckpointFormatError)
  t.throws(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: ROOT }), CheckpointFormatError)
  t.throws(() => formatCheckpoint({ origin: 'a b', size: 1, rootHash: ROOT }), CheckpointFormatError)
  t.throws(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: ROOT }), CheckpointFormatError)
  t.throws(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: ROOT }), CheckpointFormatError)
  t.throws(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: Buffer.alloc(31) }), CheckpointFormatError)
})
