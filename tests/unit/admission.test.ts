/**
 * Which API requests the app takes on (api/admission.ts), on a clock the test moves: past the number in hand, and
 * while it is behind — the quickest answers of half a second slow with a queue waiting — new requests are refused
 * at once; a slow request alone, or a few, never make it refuse; once caught up it takes requests again.
 */
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { admission } from '../../api/admission';

describe('admission of API requests', () => {
  let clock = 0;
  const now = () => clock;
  /** A request through the middleware: whether it was taken, and how to answer it. */
  const arrive = (handler: ReturnType<typeof admission>) => {
    const headers: Record<string, string> = {};
    const res = Object.assign(new EventEmitter(), { setHeader: (name: string, value: string) => void (headers[name] = value) });
    let error: unknown = 'not called';
    handler({} as Request, res as unknown as Response, ((e?: unknown) => (error = e)) as NextFunction);
    return { taken: error === undefined, error, retryAfter: headers['Retry-After'], answer: () => res.emit('close') };
  };
  beforeEach(() => (clock = 0));

  it('when more are in hand than the limit, then the next is refused with Retry-After until one is answered', () => {
    const handler = admission({ limit: 2, behindMs: 0, now });
    const [a, b] = [arrive(handler), arrive(handler)];
    expect([a.taken, b.taken]).toEqual([true, true]);
    const c = arrive(handler);
    expect(c.taken).toBe(false);
    expect(c.retryAfter).toBe('2');
    expect(c.error).toMatchObject({ status: 503 });
    a.answer();
    expect(arrive(handler).taken).toBe(true);
  });

  it('when even the quickest answers of half a second were slow with a queue waiting, then new requests are refused until it has caught up', () => {
    const handler = admission({ limit: 0, behindMs: 200, now });
    // a backlog: 40 requests in hand, answered 300 ms and more after they came
    const backlog = Array.from({ length: 40 }, () => arrive(handler));
    clock = 300;
    for (const r of backlog.slice(0, 10)) r.answer();
    clock = 600;
    // then the next half second begins with the app behind: refused at once
    const refused = arrive(handler);
    expect(refused.taken).toBe(false);
    expect(refused.retryAfter).toBe('2');
    expect(refused.error).toMatchObject({ status: 503 });
    clock = 900;
    expect(arrive(handler).taken).toBe(false);
    // when it has worked off its queue (fewer than a few in hand), then the next half second takes requests again
    for (const r of backlog.slice(10, 35)) r.answer();
    clock = 1200;
    expect(arrive(handler).taken).toBe(true);
  });

  it('when nothing was answered for half a second, then it takes requests again (what hangs is for the limit in hand)', () => {
    const handler = admission({ limit: 0, behindMs: 200, now });
    const slow = Array.from({ length: 20 }, () => arrive(handler));
    clock = 400;
    slow[0].answer();
    clock = 500;
    expect(arrive(handler).taken).toBe(false);
    clock = 1000;
    expect(arrive(handler).taken).toBe(true);
  });

  it('when one slow request, or a few, are all there is, then nothing is refused', () => {
    const handler = admission({ limit: 0, behindMs: 200, now });
    // a report that takes a second, alone
    const report = arrive(handler);
    clock = 1000;
    report.answer();
    clock = 1600;
    expect(arrive(handler).taken).toBe(true);
    // a few slow ones at once
    const few = Array.from({ length: 5 }, () => arrive(handler));
    clock = 2400;
    for (const r of few) r.answer();
    clock = 3000;
    expect(arrive(handler).taken).toBe(true);
  });

  it('when the limit on delay is 0, then a backlog is never refused for being slow', () => {
    const handler = admission({ limit: 0, behindMs: 0, now });
    const backlog = Array.from({ length: 40 }, () => arrive(handler));
    clock = 2000;
    backlog[0].answer();
    clock = 2600;
    expect(arrive(handler).taken).toBe(true);
  });
});
