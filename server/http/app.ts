/** The Express application: security headers, request ids and logs, the mounted routers, one error middleware. */
import express, { type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../platform/logger';
import { errorHandler, notFoundHandler, problems } from '../../platform/problem';
import { metricsHandler, requestMetrics } from '../../platform/metrics';
import { healthRouter, type ReadinessCheck } from './health';

export interface AppParts {
  log: Logger;
  readiness: ReadinessCheck[];
  /** Routers mounted under their path, in order (e.g. the domain API at /api). */
  mounts: Array<{ path: string; router: Router }>;
  /**
   * Machine-to-machine routers mounted before request logging (the embedded engine's /v2, called by the app's own
   * workers many times a second): they log their own failures, and per-request lines would drown everything else.
   */
  quietMounts?: Array<{ path: string; router: Router }>;
  /** METRICS_TOKEN: GET /metrics answers with this bearer token only; unset, there is no /metrics (404). */
  metricsToken?: string;
}

export function createApp(parts: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // No ETags on answers: the API's are not kept by browsers (no-store) and the engine's callers never revalidate,
  // so hashing every body was work for nothing. (Static files keep theirs: express.static sets its own.)
  app.set('etag', false);
  // No upgrade-insecure-requests: a street office may serve the app over plain HTTP on its own network (TLS, when
  // used, ends at a proxy), and the directive would send the pages' scripts to an https port that does not exist.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(requestMetrics());
  for (const { path, router } of parts.quietMounts ?? []) app.use(path, router);
  app.use(
    pinoHttp({
      logger: parts.log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      // The logger's own serializers show the request (platform/logger.ts: no query string, no rating token), on every
      // line of the request log alike; pino-http's would wrap or replace them.
      wrapSerializers: false,
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use(healthRouter(parts.readiness));
  const metrics = metricsHandler(parts.metricsToken, problems.unauthorized);
  if (metrics) app.get('/metrics', metrics);
  for (const { path, router } of parts.mounts) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(parts.log));
  return app;
}
