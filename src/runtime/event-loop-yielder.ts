import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * Long CPU work on the API's event loop (verifying or exporting a whole log) calls the
 * returned function often; it gives the loop a turn (setImmediate: timers, sockets, the
 * health check) once `budgetMs` of work has passed since the last turn, and is otherwise
 * a clock read. An awaited promise alone is a microtask and lets nothing else run.
 */
export function eventLoopYielder (budgetMs = 5): () => Promise<void> | undefined {
  let since = performance.now()
  return () => {
    const now = performance.now()
    if (now - since < budgetMs) return undefined
    return nextTurn().then(() => { since = performance.now() })
  }
}
