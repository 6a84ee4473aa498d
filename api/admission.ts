/**
 * Which API requests the app takes on. A request it does not take is refused at once (503, Retry-After, a message a
 * person understands) instead of joining a queue it would wait seconds in: an app asked for more than its machine
 * can do keeps answering what it took on in reasonable time, and its memory does not grow with a backlog. Nothing is
 * half-done: a refused request never started. Two limits:
 *
 * - **in hand**: past `limit` requests being worked on at once;
 * - **behind**: when even the quickest request answered in the last half second took longer than `behindMs`, with
 *   more than a few in hand, the app is working off a queue rather than keeping up (after a restart under load its
 *   code is cold and its caches empty, and a queue of a hundred requests does not drain by itself: each waits behind
 *   all the others). New requests are refused until it has caught up — a half second whose quickest answer was quick,
 *   or in which too few were in hand — so that the ones it took are answered and the next ones find it ready.
 *   A slow request alone (a report that takes a second) does not count: the quickest answer decides, and only with
 *   others waiting.
 */
import type { RequestHandler } from 'express';
import { problems, refusal } from '../server/http/problem';

export interface AdmissionOptions {
  /** Requests in hand at once (0: no limit). */
  limit: number;
  /** The quickest answer of a half second above this, with requests waiting: behind (0: never). */
  behindMs: number;
  /** Milliseconds, increasing (performance.now by default; tests pass their own). */
  now?: () => number;
}

/** How long each judgement of "behind" looks back. */
const WINDOW_MS = 500;
/** Fewer requests in hand than this are not a queue, whatever their answers took. */
const QUEUE_FLOOR = 8;

export function admission({ limit, behindMs, now = () => performance.now() }: AdmissionOptions): RequestHandler {
  let inHand = 0;
  let behind = false;
  let windowStart = now();
  let quickest = Infinity;
  return (_req, res, next) => {
    const at = now();
    if (at - windowStart >= WINDOW_MS) {
      behind = behindMs > 0 && quickest !== Infinity && quickest > behindMs && inHand >= QUEUE_FLOOR;
      windowStart = at;
      quickest = Infinity;
    }
    if ((limit > 0 && inHand >= limit) || behind) {
      res.setHeader('Retry-After', '2');
      return next(
        refusal(
          'overloaded',
          problems.unavailable({
            zh: '系统繁忙：正在处理的请求过多，本次请求未被处理。请稍等几秒后重试。',
            en: 'The system is busy: too many requests are being worked on, and this one was not taken. Please retry in a few seconds.',
          }),
        ),
      );
    }
    inHand++;
    // Once per response: when it has been sent, or its connection dropped before that.
    res.once('close', () => {
      inHand--;
      quickest = Math.min(quickest, now() - at);
    });
    next();
  };
}
