/**
 * Prometheus metrics (prom-client): every HTTP answer by route template and status, its latency, and every request
 * the app refused, by reason. Served at GET /metrics in Prometheus's text format, only with the bearer token of the
 * METRICS_TOKEN setting (without the setting the route does not exist: 404).
 *
 * One registry per process (tests that start several apps in one process share it and compare before and after).
 * With APP_PROCESSES > 1 every process answers for all of them: it asks the primary, which gathers every started
 * process's registry and adds them up (prom-client's AggregatorRegistry.aggregate; see cluster.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import cluster from 'node:cluster';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A process asking the primary for every process's metrics, and the primary's answer (server/cluster.ts). */
export const METRICS = 'petition:metrics';
/** The primary asking one process for its own metrics (prom-client's JSON), and its answer. */
export const METRICS_PART = 'petition:metrics-part';

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
  'overloaded',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const registry = new Registry();

export const refusals = new Counter({
  name: 'petition_refusals_total',
  help: 'Requests refused, by reason (csrf, validation, unauthenticated, sign-in-failed, forbidden, locked, rate-limited, too-large, upload, model, rating-link; overloaded: 503, too many requests in hand)',
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

/** Counts and times one answer (what requestMetrics does for every request Express sees). */
export function countAnswer(method: string, route: string, status: number, seconds: number): void {
  httpRequests.inc({ method, route, status: String(status) });
  httpDuration.observe({ method, route }, seconds);
}

/** Counts and times every answer; mounted first, so the engine's /v2 and the pages are counted too. */
export function requestMetrics(): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () =>
      countAnswer(req.method, routeOf(req, res), res.statusCode, (performance.now() - started) / 1000),
    );
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
    (cluster.isWorker ? everyProcess() : registry.metrics()).then((text) => {
      res.status(200).type(registry.contentType).send(text);
    }, next);
  };
}

const asked = new Map<number, (answer: { text?: string; error?: string }) => void>();
let lastAsked = 0;

/** Every process's metrics added up, from the primary. */
function everyProcess(): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = ++lastAsked;
    const timer = setTimeout(() => {
      asked.delete(id);
      reject(new Error('the other processes did not give their metrics within 5 s'));
    }, 5000);
    asked.set(id, (answer) => {
      clearTimeout(timer);
      asked.delete(id);
      if (answer.text === undefined)
        reject(new Error(`metrics of the other processes: ${answer.error ?? 'no answer'}`));
      else resolve(answer.text);
    });
    process.send?.({ type: METRICS, id });
  });
}

if (cluster.isWorker) {
  process.on('message', (message: { type?: string; id?: number; text?: string; error?: string }) => {
    if (message?.type === METRICS && message.id !== undefined) asked.get(message.id)?.(message);
    // The primary gathering every process's metrics: this process's own.
    if (message?.type === METRICS_PART) {
      registry.getMetricsAsJSON().then(
        (metrics) => process.send?.({ type: METRICS_PART, id: message.id, metrics }),
        () => process.send?.({ type: METRICS_PART, id: message.id, metrics: [] }),
      );
    }
  });
}
