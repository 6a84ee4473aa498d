/**
 * A `fetch` that hands each request to this process's own HTTP handler instead of sending it over a socket: how the
 * app's SDK client reaches the embedded engine's /v2 in the same process. The requests and answers are the same HTTP
 * messages (method, path, headers, body, status), through the same Express app with its authentication, validation
 * and error handling; only the loopback TCP connection, its system calls and the parsing of HTTP on both ends are
 * left out. Built on light-my-request (Fastify's request injection), which fakes Node's request and response objects.
 *
 * `direct`: a handler that takes some calls without Express (the engine's JSON routes, `EngineApi.direct`): the same
 * request's parts go to the same route handlers, with the same credentials check and problem details, and Express's
 * middleware (security headers, routing, body parsing) and the fake request and response are left out as well.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import inject, { type Response as InjectResponse } from 'light-my-request';
import type { DirectAnswer, DirectRequest } from '../engine/rest/router';

export type Dispatch = (req: IncomingMessage, res: ServerResponse) => void;

/** Calls under `prefix` (e.g. /v2) that `handler` takes, by method and the path under the prefix. */
export interface DirectRoutes {
  prefix: string;
  handler: (method: string, path: string) => ((request: DirectRequest) => Promise<DirectAnswer>) | undefined;
}

/**
 * Set on every request this fetch hands to the app: a property of the request object, not a header, so no client
 * over the network can claim it. The engine's /v2 does not throttle these calls by address (they all come as
 * 127.0.0.1).
 */
const IN_PROCESS = Symbol('in-process request');

/** Whether `req` is one this process made to itself through `inProcessFetch`. */
export const isInProcessRequest = (req: IncomingMessage): boolean =>
  (req as unknown as Record<symbol, unknown>)[IN_PROCESS] === true;

export function inProcessFetch(dispatch: Dispatch, direct?: DirectRoutes): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = new URL(request.url);
    const handle =
      direct && url.pathname.startsWith(`${direct.prefix}/`)
        ? direct.handler(request.method, url.pathname.slice(direct.prefix.length))
        : undefined;
    if (handle) return callDirect(request, handle);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const payload = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    // An aborted request (a job worker stopping its long poll) ends as a dropped connection would: the handler's
    // response closes (the engine hands back jobs it was about to give out) and the caller gets an AbortError.
    const signal = request.signal;
    signal.throwIfAborted();
    let closeResponse: (() => void) | undefined;
    // The body as the handler writes it, kept here as written (Express writes an answer as one string): light-my-request's
    // own capture misses what Express writes once it has swapped the response's prototype for its own, and would copy
    // every byte twice more to build a payload nobody reads. Its fake response is only told that the body has begun
    // (an empty write), so that the headers go out then, as they would on a socket.
    const chunks: Array<string | Buffer> = [];
    const handler: Dispatch = (req, res) => {
      closeResponse = () => res.emit('close');
      signal.addEventListener('abort', closeResponse, { once: true });
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        const callback = typeof encoding === 'function' ? encoding : cb;
        if (typeof chunk === 'string')
          chunks.push(
            typeof encoding === 'string' && !UTF8.has(encoding)
              ? Buffer.from(chunk, encoding as BufferEncoding)
              : chunk,
          );
        else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk)); // a copy: the writer may reuse its buffer once written
        return write('', 'utf8', callback);
      }) as typeof res.write;
      // end(chunk) is write(chunk) and end().
      res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
        if (typeof chunk === 'function') return end(chunk);
        if (chunk !== undefined && chunk !== null)
          res.write(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding);
        return end(typeof encoding === 'function' ? encoding : cb);
      }) as typeof res.end;
      (req as unknown as Record<symbol, unknown>)[IN_PROCESS] = true;
      dispatch(req, res);
    };
    let answer: InjectResponse;
    try {
      answer = await unlessAborted(
        signal,
        inject(handler, {
          method: request.method as 'GET',
          url: url.pathname + url.search,
          headers,
          ...(payload ? { payload } : {}),
          remoteAddress: '127.0.0.1',
        }),
      );
    } finally {
      if (closeResponse) signal.removeEventListener('abort', closeResponse);
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    const empty = answer.statusCode === 204 || answer.statusCode === 304 || request.method === 'HEAD';
    const body = empty
      ? null
      : chunks.every((c) => typeof c === 'string')
        ? chunks.join('')
        : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    return new InProcessResponse(body, {
      status: answer.statusCode,
      statusText: answer.statusMessage,
      headers: responseHeaders,
    }) as unknown as Response;
  };
}

/** A call to a direct handler: its answer, or an AbortError as soon as the caller aborts (the handler sees the abort). */
async function callDirect(
  request: Request,
  handle: (request: DirectRequest) => Promise<DirectAnswer>,
): Promise<Response> {
  const signal = request.signal;
  signal.throwIfAborted();
  const body = request.body ? await request.text() : '';
  const answer = await unlessAborted(
    signal,
    handle({
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      body,
      signal,
    }),
  );
  const empty = answer.status === 204 || answer.status === 304 || request.method === 'HEAD';
  const payload = empty ? null : 'json' in answer ? new JsonValue(answer.json) : answer.body;
  return new InProcessResponse(payload, { status: answer.status, headers: answer.headers }) as unknown as Response;
}

/** An answer's body as the JSON value its text would parse to (a direct handler's fresh answer). */
class JsonValue {
  constructor(readonly value: unknown) {}
}

/** What `work` gives, or an AbortError as soon as `signal` aborts (the work itself goes on, and sees the abort itself). */
async function unlessAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>(
    (_, reject) =>
      (onAbort = () =>
        reject(
          signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError'),
        )),
  );
  signal.addEventListener('abort', onAbort!, { once: true });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

const UTF8 = new Set(['utf8', 'utf-8', 'UTF8', 'UTF-8']);

/** fetch's Response, typed as a plain base class: its type declares the ways of reading a body as properties, which a subclass could not override. */
const ResponseBase = Response as unknown as new (
  body: null,
  init: ResponseInit,
) => { readonly headers: Headers; readonly status: number; readonly statusText: string };

/**
 * The answer as fetch's Response, its body kept as the handler wrote it: `text()` and `json()` (how the SDK reads
 * every answer) take that text as it is, instead of encoding it into a byte stream that is read back and decoded
 * again — or, when the handler gave a JSON value, `json()` gives that value and `text()` writes it; `body`,
 * `arrayBuffer()`, `blob()`, `clone()` and the rest behave as an ordinary Response's, and a body is read once, as
 * there.
 */
class InProcessResponse extends ResponseBase {
  readonly #payload: string | Buffer | JsonValue | null;
  #read = false;
  #stream: ReadableStream<Uint8Array> | null | undefined;

  constructor(payload: string | Buffer | JsonValue | null, init: ResponseInit) {
    super(null, init);
    this.#payload = payload;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined)
      this.#stream = this.#payload === null ? null : new Response(asText(this.#payload)).body;
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#read || Boolean(this.#stream?.locked);
  }

  /** The body, once: a second read fails as fetch's does. */
  #take(): string | Buffer | JsonValue | null {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#read = true;
    return this.#payload;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a rejected promise, as fetch's, when read twice
  async text(): Promise<string> {
    const payload = this.#take();
    return payload === null ? '' : asText(payload).toString();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a rejected promise, as fetch's, when read twice
  async json(): Promise<unknown> {
    const payload = this.#take();
    if (payload instanceof JsonValue) return payload.value;
    return JSON.parse(payload === null ? '' : payload.toString()) as unknown;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#ordinary().then((r) => r.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this.#ordinary().then((r) => r.blob());
  }

  formData(): Promise<FormData> {
    return this.#ordinary().then((r) => r.formData());
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    // A JSON value is given to the copy as its text: the two are read apart, as two bodies are.
    return new InProcessResponse(this.#payload === null ? null : asText(this.#payload), {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    }) as unknown as Response;
  }

  /** The body as an ordinary Response, for the ways of reading it that are not text. */
  // eslint-disable-next-line @typescript-eslint/require-await -- a rejected promise, as fetch's, when read twice
  async #ordinary(): Promise<Response> {
    const payload = this.#take();
    return new Response(payload === null ? null : asText(payload), { headers: this.headers });
  }
}

function asText(payload: string | Buffer | JsonValue): string | Buffer {
  return payload instanceof JsonValue ? JSON.stringify(payload.value) : payload;
}
