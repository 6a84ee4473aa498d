/** Structured JSON logs (pino). Personal data never goes into a log line. */
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACTED = '[redacted]';

/**
 * Path segments that are secrets in themselves: the one-time rating token, in the resident's page (`/rate/<token>`)
 * and in the API behind it (`/api/public/ratings/<token>`). Express matches paths case-insensitively, so this does too.
 */
const SECRET_SEGMENT = /(\/(?:rate|ratings)\/)[^/?#]*/gi;

/**
 * A URL as it may appear in a log: the query string is dropped whole (values, and names too, are whatever the caller
 * typed: a phone number, an ID number, a free-text purpose) and rating tokens in the path are replaced.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return path.replace(SECRET_SEGMENT, `$1${REDACTED}`) + (query < 0 ? '' : `?${REDACTED}`);
}

/**
 * How any log line shows a request: its id, method and redacted URL, nothing else (no headers, no query object, no
 * parameters). Takes Express's request (`originalUrl`: the full address, also inside a mounted router) or anything
 * with a `url`. The request log (pino-http) uses the logger's serializers, so every line about a request — success,
 * refusal or failure — goes through this one function.
 */
export function requestLogFields(req: { id?: unknown; method?: string; originalUrl?: string; url?: string }) {
  return { id: req.id, method: req.method, url: redactUrl(req.originalUrl ?? req.url ?? '') };
}

/** `destination`: where the lines go (stdout unless given; tests capture them). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'petition-workflow' },
    serializers: { req: requestLogFields, res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }) },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.phone', '*.idNumber', '*.token'],
      censor: REDACTED,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
