/**
 * The canonical JSON of the object made of `members` (each `"name":value`, already canonical,
 * by name), and where a `seq` member would go in it: RFC 8785 orders members by the UTF-16
 * code units of their names, so `seq` goes after every name below it. The worker splices
 * `"seq":N` in there instead of serializing the record again (`withSeq`).
 *
 * `seqAt` is absent when the object has a `seq` member already.
 */
export function assembleRecord (members: ReadonlyMap<string, string>): { text: string, seqAt: number | undefined } {
  const names = [...members.keys()].sort()
  let text = '{'
  let seqAt: number | undefined = 1
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (name === 'seq') seqAt = undefined
    text += (i === 0 ? '' : ',') + members.get(name)!
    if (seqAt !== undefined && name < 'seq') seqAt = text.length
  }
  return { text: text + '}', seqAt }
}
