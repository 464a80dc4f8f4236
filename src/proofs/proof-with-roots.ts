import { frontierNodes, rootFromNodes, type TreeNode, type NodeReader } from '../core/merkle/index.js'

/**
 * Runs a proof generator (`inclusionProof` or `consistencyProof`, which read once) and also
 * returns the roots of the trees of the given sizes, fetching the proof's nodes and the
 * roots' perfect subtrees in the SAME read: one query of O(log n) point reads in all.
 */
export async function proofWithRoots (
  read: NodeReader,
  rootSizes: readonly number[],
  generate: (read: NodeReader) => Promise<Buffer[]>
): Promise<{ proof: Buffer[], roots: Buffer[] }> {
  const perRoot = rootSizes.map(size => frontierNodes(size))
  const rootNodes: TreeNode[] = perRoot.flat()
  let rootHashes: Buffer[] | undefined
  const proof = await generate(async nodes => {
    const all = await read([...nodes, ...rootNodes])
    rootHashes = all.slice(nodes.length)
    return all.slice(0, nodes.length)
  })
  // An empty proof (tree of one leaf, or equal sizes) is generated without reading.
  if (rootHashes === undefined) rootHashes = rootNodes.length === 0 ? [] : await read(rootNodes)
  if (rootHashes.length !== rootNodes.length) throw new Error(`node reader returned ${rootHashes.length} hashes for ${rootNodes.length} nodes`)
  let next = 0
  const roots = perRoot.map(nodes => {
    const slice = rootHashes!.slice(next, next + nodes.length)
    next += nodes.length
    return rootFromNodes(slice)
  })
  return { proof, roots }
}
