import { Queue, type ConnectionOptions } from 'bullmq'
import type { AppendJobData, AppendJobResult } from './append-job.js'

export interface EventQueueOptions {
  name: string
  prefix: string
  connection: ConnectionOptions
  attempts: number
  backoffMs: number
}

export type EventQueue = Queue<AppendJobData, AppendJobResult>

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
