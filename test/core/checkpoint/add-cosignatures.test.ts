import t from 'tap'
import { addCosignatures, CheckpointFormatError } from '../../../src/core/checkpoint/index.js'

const NOTE = 'example.com/log\n4\nsm/sGNgtfyJTeLiM7nFZJWVaHJEsAHWBcPxUg12+Ew8=\n\n— example.com/log AAAAAA==\n'

t.test('cosignatures become further signature lines of the note, each once', async t => {
  t.equal(addCosignatures(NOTE, []), NOTE)
  t.equal(addCosignatures(NOTE, ['— w1.example/w BBBB', '— w2.example/w CCCC']), `${NOTE}— w1.example/w BBBB\n— w2.example/w CCCC\n`)
  t.equal(addCosignatures(NOTE, ['— w1.example/w BBBB', '— w1.example/w BBBB', '— example.com/log AAAAAA==']), `${NOTE}— w1.example/w BBBB\n`, 'a line already there is not added again')
})

t.test('only signature lines, onto a note that ends with a newline', async t => {
  for (const line of ['w1 BBBB', '— w1 BBBB\n— w2 CCCC', '— w1', '— w1 BBBB ', '— w1  BBBB']) {
    t.throws(() => addCosignatures(NOTE, [line]), CheckpointFormatError, JSON.stringify(line))
  }
  t.throws(() => addCosignatures(NOTE.slice(0, -1), []), CheckpointFormatError)
})
