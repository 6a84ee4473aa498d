/**
 * Prometheus metrics (prom-client): every HTTP answer by route template and status, its latency, and every request
 * the app refused, by reason. Served at GET /metrics in Prometheus's text format, only with the bearer token of the
 * METRICS_TOKEN setting (without the setting the route does not exist: 404).
 *
 * One registry per process (the app is one process; tests that start several apps in one process share it and
 * compare before and after).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Why a request was refused (the `reason` label of petition_refusals_total). */
export const REFUSAL_REASONS = [
  'csrf',
  'validation',
  'unauthenticated',
  'sign-in-failed',
  'forbidden',
  'locked',
  'rate-limited',
  'too-large',
  'upload',
  'model',
  'rating-link',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const registry = new Registry();

export const refusals = new Counter({
  name: 'petition_refusals_total',
  help: 'Requests refused with a client error, by reason (csrf, validation, unauthenticated, sign-in-failed, forbidden, locked, rate-limited, too-large, upload, model, rating-link)',
  labelNames: ['reason'] as const,
  registers: [registry],
});
// Every reason shows from the start (at 0), so that a rate() over it never starts from nothing.
for (const reason of REFUSAL_REASONS) refusals.inc({ reason }, 0);

export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP answers by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time to answer, by method and route template',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export function countRefusal(reason: RefusalReason): void {
  refusals.inc({ reason });
}

/** The route template a request matched (`/api/cases/:id`), never the raw path (one series per route, not per id). */
function routeOf(req: Request, res: Response): string {
  const template = res.locals.routeTemplate as string | undefined;
  if (template) return template;
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return '(other)';
}

/** Counts and times every answer; mounted first, so the engine's /v2 and the pages are counted too. */
export function requestMetrics(): RequestHandler {
  return (req, res, next) => {
    const end = httpDuration.startTimer();
    res.once('finish', () => {
      const route = routeOf(req, res);
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  };
}

let defaultsCollected = false;

/**
 * GET /metrics with `Authorization: Bearer <METRICS_TOKEN>`; without a token configured there is no such route
 * (undefined: the caller mounts nothing, and the request ends as a 404). A wrong or missing token goes on as
 * `refuse()` (the app's 401 problem detail).
 */
export function metricsHandler(token: string | undefined, refuse: () => Error): RequestHandler | undefined {
  if (!token) return undefined;
  if (!defaultsCollected) {
    collectDefaultMetrics({ register: registry });
    defaultsCollected = true;
  }
  const expected = Buffer.from(`Bearer ${token}`);
  return (req, res, next) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return next(refuse());
    }
    registry.metrics().then((text) => {
      res.status(200).type(registry.contentType).send(text);
    }, next);
  };
}
