import { Queue, type ConnectionOptions } from 'bullmq'
import type { Config } from '../config.js'
import type { AppendJobData, AppendJobResult } from './append-job.js'

export interface EventQueueOptions {
  name: string
  prefix: string
  connection: ConnectionOptions
  attempts: number
  backoffMs: number
}

export type EventQueue = Queue<AppendJobData, AppendJobResult>

/** The queue as configured (name, prefix, retry policy) over a given connection. */
export function eventQueueOptions (config: Pick<Config, 'queueName' | 'queuePrefix' | 'jobAttempts' | 'jobBackoffMs'>, connection: ConnectionOptions): EventQueueOptions {
  return { name: config.queueName, prefix: config.queuePrefix, connection, attempts: config.jobAttempts, backoffMs: config.jobBackoffMs }
}

/**
 * The queue between API and worker. Completed jobs are removed (the rows are the record);
 * failed jobs stay as the dead-letter set, with the reason BullMQ recorded.
 */
export function createEventQueue (options: EventQueueOptions): EventQueue {
  return new Queue<AppendJobData, AppendJobResult>(options.name, {
    prefix: options.prefix,
    connection: options.connection,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: true,
      removeOnFail: false
    }
  })
}
