import { pino, type Logger, type LoggerOptions } from 'pino'

/**
 * pino options shared by the API and the worker. Authorization and cookies never reach a log
 * line; event bodies are not logged at all (they are scrubbed, but logs are not the record).
 */
export function loggerOptions (level: string, name: string): LoggerOptions {
  return {
    level,
    name,
    redact: {
      paths: ['err.rawPacket', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
      censor: '[REDACTED]'
    }
  }
}

export function createLogger (level: string, name: string): Logger {
  return pino(loggerOptions(level, name))
}
