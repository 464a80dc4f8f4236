import { readFileSync } from 'node:fs'

/** Peak resident set (VmHWM) of a live process, in bytes; undefined once it is gone. */
export function peakRss (pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}
