/** Structured JSON logs (pino). Personal data never goes into a log line. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'petition-workflow' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.phone', '*.idNumber'], censor: '[redacted]' },
  });
}
