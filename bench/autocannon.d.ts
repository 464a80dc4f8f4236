// autocannon 8 ships no type declarations; this is the part of its API the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  namespace autocannon {
    interface Options {
      url: string
      method?: string
      headers?: Record<string, string>
      body?: string | Buffer
      connections?: number
      pipelining?: number
      duration?: number
      amount?: number
      overallRate?: number
      connectionRate?: number
      timeout?: number
      title?: string
      excludeErrorStats?: boolean
      ignoreCoordinatedOmission?: boolean
    }

    /** Percentiles are keyed p0_001 ... p99_999 (a dot becomes an underscore). */
    interface Histogram {
      average: number
      mean: number
      stddev: number
      min: number
      max: number
      total?: number
      p50: number
      p90: number
      p97_5: number
      p99: number
      p99_9: number
      [percentile: string]: number | undefined
    }

    interface Result {
      title?: string
      url: string
      connections: number
      duration: number
      start: Date
      finish: Date
      errors: number
      timeouts: number
      non2xx: number
      resets: number
      '1xx': number
      '2xx': number
      '3xx': number
      '4xx': number
      '5xx': number
      statusCodeStats: Record<string, { count: number }>
      latency: Histogram
      requests: Histogram & { sent: number }
      throughput: Histogram
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop (): void
    }
  }

  function autocannon (options: autocannon.Options): autocannon.Instance
  export = autocannon
}
