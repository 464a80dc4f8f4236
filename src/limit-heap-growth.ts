import { setFlagsFromString } from 'node:v8'

/**
 * Caps how far V8 lets the heap grow past the live data after each full GC: the limit becomes
 * live × (1 + percent / 100). By default V8 picks a factor of up to 4 when the process is busy,
 * so an API whose live heap is ~35 MB under load peaks at 200-330 MB RSS before it collects;
 * at 50% it stays near 150 MB for a few percent more GC time (bench/README.md, figure 7).
 * The factor is read at every full GC, so setting it once at start-up applies from then on.
 * 0 keeps V8's default.
 */
export function limitHeapGrowth (percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`)
}
