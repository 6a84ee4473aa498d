/**
 * The in-process fetch the app's SDK client uses to reach its own embedded engine: the same HTTP exchange as over a
 * socket (method, path, headers, body, status, headers, body back), and an abort that the handler sees as a dropped
 * connection.
 */
import express from 'express';
import { inProcessFetch } from '../../platform/in-process-fetch';
import { assertPlainJson } from '../../engine/rest/router';

describe('in-process fetch', () => {
  const closed: string[] = [];
  const app = express();
  app.use(express.json());
  app.post('/v2/echo', (req, res) => {
    res.status(201).setHeader('x-seen', String(req.headers.authorization));
    res.json({ got: req.body as unknown, query: req.query.q });
  });
  app.get('/v2/written', (_req, res) => {
    res.write('part one, ');
    res.end(Buffer.from('part two'));
  });
  app.delete('/v2/nothing', (_req, res) => void res.status(204).end());
  const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
  app.get('/v2/binary', (_req, res) => void res.type('application/octet-stream').send(bytes));
  app.get('/v2/wait', (_req, res) => {
    res.on('close', () => closed.push('wait'));
  });
  const f = inProcessFetch(app);

  it('when a request goes in, then the handler gets its method, path, query, headers and body, and its answer comes back whole', async () => {
    const res = await f(
      new Request('http://localhost:1/v2/echo?q=1', {
        method: 'POST',
        headers: { authorization: 'Basic abc', 'content-type': 'application/json' },
        body: JSON.stringify({ a: [1, '二'] }),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('Basic abc');
    expect(await res.json()).toEqual({ got: { a: [1, '二'] }, query: '1' });
    expect(await (await f('http://localhost:1/v2/written')).text()).toBe('part one, part two');
    const none = await f('http://localhost:1/v2/nothing', { method: 'DELETE' });
    expect(none.status).toBe(204);
    expect(await none.text()).toBe('');
  });

  it('when an answer is read, then it reads as any Response: once, as text, JSON, bytes or a stream, and a clone reads again', async () => {
    const res = await f(
      new Request('http://localhost:1/v2/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":"二"}',
      }),
    );
    const copy = res.clone();
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ got: { a: '二' } });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect(Buffer.from(await copy.arrayBuffer()).toString('utf8')).toBe('{"got":{"a":"二"}}');
    const streamed = await f('http://localhost:1/v2/written');
    expect(await new Response(streamed.body).text()).toBe('part one, part two');
    expect(streamed.bodyUsed).toBe(true);
    // Bytes that are not text come back as they were written.
    expect(Buffer.from(await (await f('http://localhost:1/v2/binary')).arrayBuffer())).toEqual(bytes);
    expect((await f('http://localhost:1/v2/nothing', { method: 'DELETE' })).body).toBeNull();
  });

  it('when the caller aborts while the handler waits, then the caller gets an AbortError and the handler sees its response close', async () => {
    const abort = new AbortController();
    const pending = f('http://localhost:1/v2/wait', { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(closed).toEqual(['wait']);
  });

  describe('with a direct handler', () => {
    const seen: Array<{
      method: string;
      path: string;
      authorization: string | null;
      contentType: string | null;
      body: string;
    }> = [];
    const aborted: string[] = [];
    const direct = inProcessFetch(app, {
      prefix: '/v2',
      handler: (method, path) => {
        if (path === '/value') {
          return () =>
            Promise.resolve({
              status: 200,
              headers: { 'content-type': 'application/json; charset=utf-8' },
              json: { items: [{ key: '1', name: '二', endDate: undefined }] },
            });
        }
        if (path === '/echo' || path.startsWith('/wait')) {
          return async (request) => {
            seen.push({
              method,
              path,
              authorization: request.authorization,
              contentType: request.contentType,
              body: request.body,
            });
            if (path.startsWith('/wait')) {
              await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
              aborted.push(path);
            }
            return {
              status: 200,
              headers: { 'content-type': 'application/json; charset=utf-8', 'x-direct': 'yes' },
              body: JSON.stringify({ direct: JSON.parse(request.body) as unknown }),
            };
          };
        }
        return undefined;
      },
    });

    it('when a call is one the handler takes, then it gets the method, path, credentials and body, and its answer comes back as a Response', async () => {
      const res = await direct(
        new Request('http://localhost:1/v2/echo', {
          method: 'POST',
          headers: { authorization: 'Basic abc', 'content-type': 'application/json' },
          body: '{"a":"二"}',
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-direct')).toBe('yes');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({ direct: { a: '二' } });
      expect(seen).toEqual([
        {
          method: 'POST',
          path: '/echo',
          authorization: 'Basic abc',
          contentType: 'application/json',
          body: '{"a":"二"}',
        },
      ]);
    });

    it('when the handler answers with a JSON value, then json() gives that value and text(), a clone and the stream give its JSON text', async () => {
      const expected = { items: [{ key: '1', name: '二' }] };
      expect(await (await direct('http://localhost:1/v2/value', { method: 'POST' })).json()).toEqual(expected);
      expect(await (await direct('http://localhost:1/v2/value', { method: 'POST' })).text()).toBe(
        '{"items":[{"key":"1","name":"二"}]}',
      );
      const res = await direct('http://localhost:1/v2/value', { method: 'POST' });
      const copy = res.clone();
      const value = (await res.json()) as { items: Array<{ name: string }> };
      value.items[0].name = 'changed';
      expect(await copy.json()).toEqual(expected);
      await expect(res.json()).rejects.toThrow(TypeError);
      expect(await new Response((await direct('http://localhost:1/v2/value', { method: 'POST' })).body).json()).toEqual(
        expected,
      );
    });

    it('when a value is checked for plain JSON, then what JSON.parse could make passes and anything else is named', () => {
      expect(() => assertPlainJson({ a: [1, 'x', true, null, { b: undefined }] }, 'the answer')).not.toThrow();
      expect(() => assertPlainJson({ a: [{ at: new Date(0) }] }, 'the answer')).toThrow(
        'the answer is not plain JSON at .a[0].at: a Date',
      );
      expect(() => assertPlainJson({ n: Number.NaN }, 'the answer')).toThrow('at .n: NaN');
      expect(() => assertPlainJson({ k: 1n }, 'the answer')).toThrow('at .k: a bigint');
      expect(() => assertPlainJson([undefined], 'the answer')).toThrow('at [0]: a undefined');
    });

    it('when the handler does not take a call, then it goes through the HTTP handler as before', async () => {
      expect(await (await direct('http://localhost:1/v2/written')).text()).toBe('part one, part two');
      expect((await direct('http://localhost:1/v2/nothing', { method: 'DELETE' })).status).toBe(204);
      expect(seen).toHaveLength(1);
    });

    it('when the caller aborts a direct call, then the caller gets an AbortError and the handler sees the abort', async () => {
      const abort = new AbortController();
      const pending = direct('http://localhost:1/v2/wait', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: abort.signal,
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      abort.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(aborted).toEqual(['/wait']);
    });
  });
});
