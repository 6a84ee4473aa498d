/**
 * A `fetch` that hands each request to this process's own HTTP handler instead of sending it over a socket: how the
 * app's SDK client reaches the embedded engine's /v2 in the same process. The requests and answers are the same HTTP
 * messages (method, path, headers, body, status), through the same Express app with its authentication, validation
 * and error handling; only the loopback TCP connection, its system calls and the parsing of HTTP on both ends are
 * left out. Built on light-my-request (Fastify's request injection), which fakes Node's request and response objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import inject, { type Response as InjectResponse } from 'light-my-request';

export type Dispatch = (req: IncomingMessage, res: ServerResponse) => void;

export function inProcessFetch(dispatch: Dispatch): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const payload = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    // An aborted request (a job worker stopping its long poll) ends as a dropped connection would: the handler's
    // response closes (the engine hands back jobs it was about to give out) and the caller gets an AbortError.
    const signal = request.signal;
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>(
      (_, reject) => (onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError'))),
    );
    let closeResponse: (() => void) | undefined;
    // The body as the handler writes it (light-my-request's own capture misses what Express writes once it has
    // swapped the response's prototype for its own).
    const chunks: Buffer[] = [];
    const handler: Dispatch = (req, res) => {
      closeResponse = () => res.emit('close');
      signal.addEventListener('abort', closeResponse, { once: true });
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      const keep = (chunk: unknown, encoding: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      };
      res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        keep(chunk, encoding);
        return write(chunk, encoding, cb);
      }) as typeof res.write;
      // end(chunk) is write(chunk) and end(): each byte goes through write once.
      res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
        if (typeof chunk === 'function') return end(chunk);
        if (chunk !== undefined && chunk !== null) res.write(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding);
        return end(typeof encoding === 'function' ? encoding : cb);
      }) as typeof res.end;
      dispatch(req, res);
    };
    signal.addEventListener('abort', onAbort!, { once: true });
    let answer: InjectResponse;
    try {
      answer = await Promise.race([
        inject(handler, { method: request.method as 'GET', url: url.pathname + url.search, headers, ...(payload ? { payload } : {}), remoteAddress: '127.0.0.1' }),
        aborted,
      ]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
      if (closeResponse) signal.removeEventListener('abort', closeResponse);
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    const empty = answer.statusCode === 204 || answer.statusCode === 304 || request.method === 'HEAD';
    return new Response(empty ? null : Buffer.concat(chunks), { status: answer.statusCode, statusText: answer.statusMessage, headers: responseHeaders });
  };
}
