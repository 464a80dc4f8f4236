import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'

/** Work allowed per turn of the event loop, shared by every long read running in the process. */
const BUDGET_MS = 4
let active = 0

export interface EventLoopYielder {
  /**
   * Called often by long CPU work; a clock read, except once this run's share of the budget
   * is spent: then a promise to await, resolved on the loop's next turn (setImmediate, after
   * timers and sockets, so the health check answers). Awaiting a promise alone is a microtask
   * and lets nothing else run.
   */
  pause: () => Promise<void> | undefined
  /** Leaves the share of the budget to the others. */
  close: () => void
}

/**
 * Shares a few milliseconds per turn of the event loop among the long reads running at once
 * (verifications, exports): with four of them each taking the whole budget, a turn would
 * last four budgets, and the others' requests wait for all of them.
 */
export function eventLoopYielder (): EventLoopYielder {
  active++
  let closed = false
  let since = performance.now()
  const resumed = () => { since = performance.now() }
  return {
    pause: () => {
      if (performance.now() - since < BUDGET_MS / Math.max(1, active)) return undefined
      return nextTurn().then(resumed)
    },
    close: () => {
      if (closed) return
      closed = true
      active--
    }
  }
}
