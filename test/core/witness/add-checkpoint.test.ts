import t from 'tap'
import { CompactRange, consistencyProof } from '../../../src/core/merkle/index.js'
import { AddCheckpointRequestError, formatAddCheckpointRequest, judgeAddCheckpoint, parseAddCheckpointRequest } from '../../../src/core/witness/index.js'
import { MemoryTree, leafData } from '../helpers/memory-tree.js'

// The spec's example request body (https://c2sp.org/tlog-witness).
const SPEC_EXAMPLE = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`

t.test('the spec\'s example request parses, and formats back to the same bytes', async t => {
  const request = parseAddCheckpointRequest(SPEC_EXAMPLE)
  t.equal(request.oldSize, 20852014)
  t.equal(request.proof.length, 4)
  t.equal(request.proof[0]?.toString('base64'), 'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=')
  t.match(request.note, /^example\.com\/behind-the-sofa\n20852163\n/)
  t.equal(formatAddCheckpointRequest(request), SPEC_EXAMPLE)
  const empty = parseAddCheckpointRequest('old 0\n\nnote\n\n\u2014 x AAAAAA==\n')
  t.same(empty, { oldSize: 0, proof: [], note: 'note\n\n\u2014 x AAAAAA==\n' })
})

t.test('malformed bodies are refused with the line that is wrong', async t => {
  const hash = Buffer.alloc(32, 1).toString('base64')
  const cases: Array<[string, RegExp]> = [
    ['', /"old <size>" line/],
    ['old 1', /"old <size>" line/],
    ['old 01\n\nx\n', /without leading zeros/],
    ['old -1\n\nx\n', /first line/],
    ['old 1.0\n\nx\n', /first line/],
    ['old  1\n\nx\n', /first line/],
    ['OLD 1\n\nx\n', /first line/],
    ['old 1 \n\nx\n', /first line/],
    ['old 99999999999999999999\n\nx\n', /first line/],
    ['old 1\r\n\r\nx\n', /first line/],
    [`old 5\n${hash}\nx\n`, /proof line 2/],
    [`old 5\n${hash}`, /no empty line/],
    [`old 5\n${hash.slice(0, -1)}\n\nx\n`, /proof line 1/],
    [`old 5\n${hash}\n${Buffer.alloc(31).toString('base64')}\n\nx\n`, /proof line 2/],
    [`old 5\n${hash}\n \n\nx\n`, /proof line 2/],
    [`old 5\n${`${hash}\n`.repeat(64)}\nx\n`, /at most 63/],
    [`old 0\n${hash}\n\nx\n`, /must be empty when the old size is 0/],
    [`old 5\n${hash}\n\n`, /no checkpoint/]
  ]
  for (const [body, message] of cases) t.throws(() => parseAddCheckpointRequest(body), { name: 'AddCheckpointRequestError', code: 'AUDIT_ERR_ADD_CHECKPOINT', message }, JSON.stringify(body).slice(0, 50))
  t.throws(() => parseAddCheckpointRequest(undefined as never), AddCheckpointRequestError)
  t.ok(parseAddCheckpointRequest(`old 5\n${`${hash}\n`.repeat(63)}\nx\n`), '63 lines are allowed')

  for (const request of [
    { oldSize: -1, proof: [], note: 'x\n' },
    { oldSize: 0.5, proof: [], note: 'x\n' },
    { oldSize: 0, proof: [Buffer.alloc(32)], note: 'x\n' },
    { oldSize: 3, proof: [Buffer.alloc(31)], note: 'x\n' },
    { oldSize: 3, proof: Array.from({ length: 64 }, () => Buffer.alloc(32)), note: 'x\n' },
    { oldSize: 3, proof: [], note: 'x' }
  ]) t.throws(() => formatAddCheckpointRequest(request), AddCheckpointRequestError)
})

t.test('judgeAddCheckpoint: the spec\'s checks against what the witness recorded', async t => {
  const tree = new MemoryTree()
  const roots: Buffer[] = [CompactRange.empty().root()]
  for (let i = 0; i < 40; i++) { tree.append(leafData(i)); roots.push(tree.range.root()) }
  const at = (size: number) => ({ size, rootHash: roots[size]! })
  const proof = (from: number, to: number) => consistencyProof(from, to, tree.read)

  // Another tree sharing the first 10 leaves: a fork from size 10 on.
  const fork = new MemoryTree()
  for (let i = 0; i < 40; i++) fork.append(i < 10 ? leafData(i) : Buffer.from(`other-${i}`))
  const forkRoot = fork.range.root()

  t.same(judgeAddCheckpoint(undefined, 0, [], at(5)), { kind: 'cosign', record: true }, 'first sight: trust on first use')
  t.match(judgeAddCheckpoint(undefined, 5, [], at(5)), { kind: 'conflict', size: 0 }, 'old must be 0 before the first')
  t.match(judgeAddCheckpoint(undefined, 0, [Buffer.alloc(32)], at(5)), { kind: 'inconsistent' })
  t.same(judgeAddCheckpoint(at(5), 5, await proof(5, 20), at(20)), { kind: 'cosign', record: true }, 'growth with a valid proof')
  t.same(judgeAddCheckpoint(at(20), 20, [], at(20)), { kind: 'cosign', record: false }, 'the same checkpoint again')
  t.match(judgeAddCheckpoint(at(20), 20, [Buffer.alloc(32)], at(20)), { kind: 'inconsistent' })
  t.match(judgeAddCheckpoint(at(20), 0, [], at(30)), { kind: 'conflict', size: 20 }, 'a client that does not know the size')
  t.match(judgeAddCheckpoint(at(20), 15, await proof(15, 30), at(30)), { kind: 'conflict', size: 20 }, 'a proof from another old size')
  t.match(judgeAddCheckpoint(at(20), 20, [], { size: 20, rootHash: Buffer.alloc(32, 9) }), { kind: 'conflict', size: 20 }, 'fork at the same size: 409')
  t.match(judgeAddCheckpoint(at(20), 20, [], at(10)), { kind: 'bad-request' }, 'rollback with old = recorded: 400')
  t.match(judgeAddCheckpoint(at(20), 10, [], at(10)), { kind: 'conflict', size: 20 }, 'rollback with old = its size: 409')
  const fork30 = new MemoryTree()
  for (let i = 0; i < 30; i++) fork30.append(fork.leaves[i]!)
  t.match(judgeAddCheckpoint(at(20), 20, await proof(20, 30), { size: 30, rootHash: fork30.range.root() }), { kind: 'inconsistent' }, 'a bigger fork with the real tree\'s proof: 422')
  const forkProof = await consistencyProof(20, 40, fork.read)
  t.match(judgeAddCheckpoint(at(20), 20, forkProof, { size: 40, rootHash: forkRoot }), { kind: 'inconsistent' }, 'a bigger fork with its own proof: 422')
  t.match(judgeAddCheckpoint(at(20), 20, (await proof(20, 30)).slice(1), at(30)), { kind: 'inconsistent' }, 'a truncated proof')
  t.same(judgeAddCheckpoint({ size: 0, rootHash: roots[0]! }, 0, [], at(3)), { kind: 'cosign', record: true }, 'from a recorded empty tree')
  t.match(judgeAddCheckpoint({ size: 0, rootHash: roots[0]! }, 0, [], { size: 0, rootHash: Buffer.alloc(32, 1) }), { kind: 'conflict', size: 0 })
})
