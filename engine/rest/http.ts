/**
 * The HTTP side of the engine's REST API (router.ts): reading a call's parts and body, answering (JSON, a deployed
 * file's XML, Camunda's problem details, 404 for a path no route takes), basic auth throttled per client address,
 * passing a call on to the engine's process (a replica), and the checks of a request's values.
 */
import { type NextFunction, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { EngineError, invalidArgument } from '../errors';
import { SearchError } from '../store/search';
import type { AuthThrottle } from './auth-throttle';
import type { DirectRequest } from './route-table';

export const MAX_RESOURCE_BYTES = 4 * 1024 * 1024;
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
export const JSON_TYPE = 'application/json; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Express's handler for an answer: the handler's value as JSON (204 without one), its errors to the error handler. */
export function answer(handler: (req: Request, res: Response) => Promise<unknown>) {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).then((body) => {
      if (res.headersSent) return;
      if (body === undefined) res.status(204).type(JSON_TYPE).end();
      // Written as the text it is: Express's json() would turn an answer of 1,000 characters or more into a Buffer
      // first (a copy of every search answer, which the app's in-process client then turns back into text).
      else res.status(200).type(JSON_TYPE).end(JSON.stringify(body));
    }, next);
  };
}

/** Express's handler for an XML answer: the deployed file `read` finds by the key in the path. */
export function xmlAnswer(read: (key: string) => Promise<string>) {
  return answer(async (req, res) => {
    const xml = await read(key(req.params));
    res.status(200).type('text/xml').send(xml);
  });
}

/** A direct call's body as express.json() reads it: JSON (an object or array) of at most 4 MB, or nothing. */
export function parseBody(request: DirectRequest): Record<string, unknown> {
  const text = request.body;
  if (text === '' || request.contentType === null || !/^application\/json\b/i.test(request.contentType)) return {};
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new EngineError(413, 'INVALID_ARGUMENT', 'The request body is too large');
  const first = /^[\s\uFEFF]*(.)/.exec(text)?.[1];
  let parsed: unknown;
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument('The request body is not valid JSON');
  }
  return jsonObject(parsed);
}

/** Under the test runner, the fresh answers are checked: a value JSON would change fails the call. */
export const UNDER_TEST = process.env.JEST_WORKER_ID !== undefined;

/** Throws unless `value` is what JSON.parse could have made (undefined allowed as an object's property: JSON leaves it out). */
export function assertPlainJson(value: unknown, what: string, path = ''): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, what, `${path}[${i}]`));
    return;
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [name, item] of Object.entries(value))
      if (item !== undefined) assertPlainJson(item, what, `${path}.${name}`);
    return;
  }
  throw new Error(
    `${what} is not plain JSON at ${path || 'its top'}: ${typeof value === 'object' ? `a ${value.constructor?.name ?? 'null-prototype object'}` : typeof value === 'number' ? String(value) : `a ${typeof value}`}`,
  );
}

export function jsonObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

export function problemText(e: EngineError, instance: string): string {
  return JSON.stringify({
    type: 'about:blank',
    title: e.title,
    status: e.status,
    detail: e.message,
    instance,
    ...e.extra,
  });
}

export const CHALLENGE = 'Basic realm="engine"';

/**
 * Express's check of a call's credentials (basic auth), throttled per client address: password guessing over HTTP.
 * An address that failed too often is refused before its credentials are looked at, so that guesses cost it time and
 * tell it nothing; the right credentials from any other address still pass. A call this process made to itself
 * (`inProcess`) has no client address of its own and is never throttled.
 */
export function requireCredentials(
  authorized: (header: string | undefined) => boolean,
  throttle: AuthThrottle,
  inProcess: ((req: Request) => boolean) | undefined,
) {
  return (req: Request, res: Response, next: NextFunction) => {
    const address = inProcess?.(req) ? undefined : (req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const wait = address === undefined ? 0 : throttle.refusedFor(address);
    if (wait > 0)
      return void res
        .status(429)
        .setHeader('Retry-After', String(wait))
        .type(PROBLEM_TYPE)
        .end(problemText(throttled(wait), req.originalUrl));
    if (authorized(req.headers.authorization)) return next();
    if (address !== undefined) throttle.fail(address);
    res
      .status(401)
      .setHeader('WWW-Authenticate', CHALLENGE)
      .type(PROBLEM_TYPE)
      .end(problemText(unauthorized(), req.originalUrl));
  };
}

/** Express's handler after every route: a path no route took is a 404. */
export function noSuchEndpoint(req: Request, _res: Response, next: NextFunction): void {
  next(new EngineError(404, 'NOT_FOUND', `No such endpoint: ${req.method} /v2${req.path}`));
}

/** Express's error handler: every error is answered as a problem; unexpected ones (500) are told to `onError`. */
export function problemHandler(
  onError: ((error: unknown, call: { method: string; path: string }) => void) | undefined,
) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toEngineError(error);
    if (e.status >= 500 && e.title !== 'RESOURCE_EXHAUSTED')
      onError?.(error, { method: req.method, path: req.originalUrl });
    res.status(e.status).type(PROBLEM_TYPE).end(problemText(e, req.originalUrl));
  };
}

export const unauthorized = () =>
  new EngineError(401, 'UNAUTHORIZED', 'The engine API requires the engine credentials (basic auth)');
/** RESOURCE_EXHAUSTED, Camunda's title for 429: the SDK backs off and retries, as it should if its own address was caught. */
export const throttled = (seconds: number) =>
  new EngineError(
    429,
    'RESOURCE_EXHAUSTED',
    `Too many failed authentications from this address; credentials are not checked from it for ${seconds} seconds`,
  );

/** A call that only reads what the database holds: any process can answer it. */
export function isRead(method: string, path: string): boolean {
  if (method === 'GET') return path !== '/topology';
  return method === 'POST' && (path.endsWith('/search') || path.endsWith('/statistics/element-instances'));
}

export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
]);

/**
 * Passes a call on to the engine's process and its answer back. The body goes as a stream (deployments are
 * multipart); the caller going away aborts the call there too (a job worker's long poll ends as it would if it
 * had been made there). The engine's process not answering is a 503 the SDK retries.
 */
export async function forward(base: string, req: Request, res: Response): Promise<void> {
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let answer: globalThis.Response;
  try {
    answer = await fetch(`${base}/v2${req.url}`, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
      signal: aborted.signal,
    });
  } catch (error) {
    if (aborted.signal.aborted) return;
    throw new EngineError(
      503,
      'RESOURCE_EXHAUSTED',
      `The engine's process does not answer (it may be restarting); retry shortly (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`,
    );
  }
  res.status(answer.status);
  answer.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'content-length' && name !== 'content-encoding') res.append(name, value);
  });
  if (!answer.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (error) {
    if (!aborted.signal.aborted) res.destroy(error as Error);
  }
}

export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof SearchError) return invalidArgument(error.message);
  const e = error as { type?: string; code?: string; message?: string };
  if (e?.type === 'entity.parse.failed') return invalidArgument('The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new EngineError(413, 'INVALID_ARGUMENT', 'The request body is too large');
  if (e?.code === 'LIMIT_FILE_SIZE') return invalidArgument(`A resource is larger than ${MAX_RESOURCE_BYTES} bytes`);
  if (e?.code?.startsWith('LIMIT_')) return invalidArgument(`Invalid upload: ${e.message}`);
  if (e?.code === '22P02' || e?.code === '22003') return invalidArgument(`Invalid value: ${e.message}`);
  // Overload: no database connection free in time. RESOURCE_EXHAUSTED makes the SDK back off and retry.
  if (/timeout exceeded when trying to connect/.test(e?.message ?? '')) {
    return new EngineError(
      503,
      'RESOURCE_EXHAUSTED',
      'The engine is busy (no database connection free); retry shortly',
    );
  }
  if (e?.code === '40P01')
    return new EngineError(503, 'RESOURCE_EXHAUSTED', 'A concurrent change got in the way; retry');
  // The database is away (stopped, restarting, unreachable): the engine cannot serve, but nothing is wrong with the
  // request. RESOURCE_EXHAUSTED makes the SDK's workers back off instead of polling again at once, and keeps an
  // outage from writing an error line per poll.
  if (databaseUnreachable(e))
    return new EngineError(
      503,
      'RESOURCE_EXHAUSTED',
      `The engine cannot reach its database; retry shortly (${e?.message ?? ''})`,
    );
  return new EngineError(500, 'INTERNAL', `Unexpected error: ${e?.message ?? String(error)}`);
}

export function databaseUnreachable(e: { code?: string; message?: string } | undefined): boolean {
  if (!e) return false;
  if (
    e.code &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03'].includes(e.code)
  )
    return true;
  if (e.code?.startsWith('08')) return true;
  return /Connection terminated|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

/** Whether an Authorization header carries the engine's credentials (compared in constant time). */
export function basicAuth(credentials: {
  username: string;
  password: string;
}): (header: string | undefined) => boolean {
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
  );
  return (header) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** A path parameter that names an entity by its key: a numeric string (int64 as text). */
export function key(params: Record<string, unknown>, name = 'key'): string {
  const value = String(params[name]);
  if (!/^-?[0-9]{1,25}$/.test(value)) throw invalidArgument(`Expected ${name} to be a numeric key, but was '${value}'`);
  return value;
}

export function text(v: unknown, name: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidArgument(`Expected ${name} to be a string`);
}

export function optString(v: unknown): string | undefined {
  const s = text(v, 'value');
  return s === '' ? undefined : s;
}

/** int64 fields arrive as JSON numbers or, from the SDK's strict mode, as numeric strings. */
export function optNumber(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidArgument(`Expected ${name} to be a number, but was ${JSON.stringify(v)}`);
  return n;
}

/** One element of an ad-hoc activation: its id and its variables. */
export function adHocElement(e: unknown, i: number): { elementId: string; variables: Record<string, unknown> } {
  const element = (typeof e === 'object' && e !== null ? e : {}) as { elementId?: unknown; variables?: unknown };
  const elementId = text(element.elementId, `elements[${i}].elementId`);
  if (!elementId) throw invalidArgument(`No elements[${i}].elementId provided`);
  return { elementId, variables: vars(element.variables) };
}

export function vars(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidArgument('Expected variables to be a JSON object');
  return v as Record<string, unknown>;
}
