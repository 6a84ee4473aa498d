/**
 * The domain API at /api: JSON in and out, sessions and CSRF, every route declared once in `ROUTES` (access,
 * schemas, handler), its OpenAPI 3.1 document at /api/openapi.json and an interactive page at /api/docs.
 */
import express, { Router, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { authenticate, authRoutes } from './auth';
import { caseRoutes } from './cases';
import { reviewRoutes } from './reviews';
import { procedureRoutes } from './procedures';
import { caseSearchRoutes } from './case-search';
import { taskRoutes } from './tasks';
import { taskHandoverRoutes } from './task-handover';
import { taskContextRoutes } from './task-context';
import { publicRoutes } from './public';
import { registryRoutes } from './registry';
import { conversionRoutes } from './key-person-conversion';
import { warningRoutes } from './warnings';
import { diagramRoutes } from './diagrams';
import { settingsRoutes } from './settings';
import { gridAdminRoutes } from './grids-admin';
import { categoryRoutes } from './categories';
import { configurationRoutes } from './configuration';
import { calendarWaitRoutes } from './calendar-waits';
import { preventionRoutes } from './prevention';
import { dashboardRoutes } from './dashboard';
import { attachmentRoutes } from './attachments';
import { streetOfficeRoutes } from './street-office';
import { inboxRoutes } from './inbox';
import { formOptionRoutes } from './form-options';
import { operationRoutes } from './operations';
import { mountRoutes, openApiDocument, type RouteSpec } from './route';
import type { ApiDeps } from './deps';
import { problems, refusal } from '../platform/problem';

export { startCaseStarter } from './intake';
export { startNoticeWatcher } from './notice-watcher';
export type { ApiDeps } from './deps';

/**
 * Past `limit` requests in hand, a new one is refused at once (503, Retry-After) instead of joining a queue it would
 * wait seconds in: an app asked for more than its machine can do keeps answering what it took on in reasonable time,
 * and its memory does not grow with a backlog. Nothing is half-done: a refused request never started.
 */
function inFlightLimit(limit: number): RequestHandler {
  let inHand = 0;
  return (_req, res, next) => {
    if (inHand >= limit) {
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
    res.once('close', () => inHand--);
    next();
  };
}

/** Every route of the API, in the order they are matched (fixed paths before parameterised ones). */
export const ROUTES: RouteSpec[] = [
  ...authRoutes,
  ...publicRoutes,
  // Before caseRoutes: /cases/facets and /cases/export.csv are not a case's /cases/:id.
  ...caseSearchRoutes,
  ...caseRoutes,
  ...reviewRoutes,
  ...procedureRoutes,
  ...taskRoutes,
  ...taskHandoverRoutes,
  ...taskContextRoutes,
  ...formOptionRoutes,
  ...streetOfficeRoutes,
  ...inboxRoutes,
  ...operationRoutes,
  ...registryRoutes,
  ...conversionRoutes,
  ...warningRoutes,
  ...diagramRoutes,
  ...calendarWaitRoutes,
  ...settingsRoutes,
  ...gridAdminRoutes,
  ...categoryRoutes,
  ...configurationRoutes,
  ...preventionRoutes,
  ...dashboardRoutes,
  ...attachmentRoutes,
];

export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  const document = openApiDocument(ROUTES);
  router.get('/openapi.json', (_req, res) => void res.json(document));
  router.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(document, { customSiteTitle: '社区信访 API', swaggerOptions: { withCredentials: true } }),
  );
  // Answers carry personal data and each person's own view of the cases: no browser or proxy keeps a copy of them.
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Models are edited whole (up to 2,000,000 characters of XML, as their schema says); everything else is small.
  router.use('/diagrams', express.json({ limit: '3mb' }));
  router.use(express.json({ limit: '256kb' }));
  router.use(authenticate(deps));
  // Counted from here: a request whose body is still arriving, or an anonymous caller's, holds no place.
  if (deps.maxRequestsInFlight) router.use(inFlightLimit(deps.maxRequestsInFlight));
  mountRoutes(router, ROUTES, deps);
  return router;
}
