/**
 * The domain API at /api: JSON in and out, sessions and CSRF, every route declared once in `ROUTES` (access,
 * schemas, handler), its OpenAPI 3.1 document at /api/openapi.json and an interactive page at /api/docs.
 */
import express, { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { authenticate, authRoutes } from './auth';
import { caseRoutes } from './cases';
import { taskRoutes } from './tasks';
import { publicRoutes } from './public';
import { registryRoutes } from './registry';
import { warningRoutes } from './warnings';
import { diagramRoutes } from './diagrams';
import { configurationRoutes, settingsRoutes } from './settings';
import { preventionRoutes } from './prevention';
import { dashboardRoutes } from './dashboard';
import { attachmentRoutes } from './attachments';
import { streetOfficeRoutes } from './street-office';
import { inboxRoutes } from './inbox';
import { mountRoutes, openApiDocument, type RouteSpec } from './route';
import { admission } from './admission';
import type { ApiDeps } from './deps';

export { startCaseStarter } from './cases';
export type { ApiDeps } from './deps';

/** Every route of the API, in the order they are matched (fixed paths before parameterised ones). */
export const ROUTES: RouteSpec[] = [...authRoutes, ...publicRoutes, ...caseRoutes, ...taskRoutes, ...streetOfficeRoutes, ...inboxRoutes, ...registryRoutes, ...warningRoutes, ...diagramRoutes, ...settingsRoutes, ...configurationRoutes, ...preventionRoutes, ...dashboardRoutes, ...attachmentRoutes];

export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  const document = openApiDocument(ROUTES);
  router.get('/openapi.json', (_req, res) => void res.json(document));
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: '社区信访 API', swaggerOptions: { withCredentials: true } }));
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
  if (deps.maxRequestsInFlight || deps.maxQueueDelayMs) router.use(admission({ limit: deps.maxRequestsInFlight ?? 0, behindMs: deps.maxQueueDelayMs ?? 0 }));
  mountRoutes(router, ROUTES, deps);
  return router;
}
