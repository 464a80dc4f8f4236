/**
 * Last-resort cleanup: if the test process ends without its teardowns running (tap's file
 * timeout, Ctrl-C), synchronous cleanups still kill the processes the suite started and remove
 * its temporary directories. Teardowns unregister what they already cleaned.
 */
const cleanups = new Set<() => void>()
let installed = false

function runAll (): void {
  for (const fn of [...cleanups].reverse()) {
    try { fn() } catch { /* best effort */ }
  }
  cleanups.clear()
}

/** Registers a synchronous cleanup; returns the function that unregisters it. */
export function onExitCleanup (fn: () => void): () => void {
  if (!installed) {
    installed = true
    process.once('exit', runAll)
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        runAll()
        process.kill(process.pid, signal)
      })
    }
  }
  cleanups.add(fn)
  return () => { cleanups.delete(fn) }
}
