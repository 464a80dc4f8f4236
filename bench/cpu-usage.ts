import { readdirSync, readFileSync } from 'node:fs'

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function processCpuSeconds (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces), utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // USER_HZ is 100 on Linux
  } catch {
    return 0
  }
}

/** CPU seconds used so far by every live process whose command name is `comm` (e.g. all postgres backends). */
export function commCpuSeconds (comm: string): number {
  let sum = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) sum += processCpuSeconds(Number(entry))
    } catch {}
  }
  return sum
}

/** Busy and total CPU seconds of the whole machine (all cores) since boot, from /proc/stat. */
export function machineCpuSeconds (): { busy: number, total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!
  const [, ...values] = line.trim().split(/\s+/)
  const ticks = values.map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0) // idle + iowait
  return { busy: (total - idle) / 100, total: total / 100 }
}

export interface CpuShares {
  seconds: number
  /** Cores' worth of CPU each watched process used over the interval (1.0 = one core busy). */
  cores: Record<string, number>
  /** Share of all cores busy over the interval, every process on the machine included. */
  machineBusy: number
}

/**
 * Starts measuring CPU use of the named pids, of all postgres processes (other sessions'
 * included: PostgreSQL is shared) and of this process; call the result to stop.
 */
export function watchCpu (pids: Record<string, number | undefined>): () => CpuShares {
  const start = performance.now()
  const machine = machineCpuSeconds()
  const self = process.cpuUsage()
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? 0 : processCpuSeconds(pid)]))
  const postgresBefore = commCpuSeconds('postgres')
  return () => {
    const seconds = (performance.now() - start) / 1000
    const m = machineCpuSeconds()
    const used = process.cpuUsage(self)
    const cores: Record<string, number> = { bench: (used.user + used.system) / 1e6 / seconds }
    for (const [name, pid] of Object.entries(pids)) {
      if (pid !== undefined) cores[name] = (processCpuSeconds(pid) - before[name]!) / seconds
    }
    // Backends that exited during the interval take their CPU time with them: a lower bound.
    cores.postgres = Math.max(0, commCpuSeconds('postgres') - postgresBefore) / seconds
    for (const name of Object.keys(cores)) cores[name] = Math.round(cores[name]! * 100) / 100
    return { seconds, cores, machineBusy: Math.round((m.busy - machine.busy) / (m.total - machine.total) * 100) / 100 }
  }
}
