/** The domain API at /api: JSON in and out, sessions and CSRF, one router per area, problem details for every error. */
import express, { Router } from 'express';
import { authenticate, authRouter } from './auth';
import { casesRouter } from './cases';
import { tasksRouter } from './tasks';
import { publicRouter } from './public';
import type { ApiDeps } from './deps';

export { startCaseStarter } from './cases';
export type { ApiDeps } from './deps';

export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  router.use(publicRouter(deps));
  router.use(authenticate(deps));
  router.use(authRouter(deps));
  router.use(casesRouter(deps));
  router.use(tasksRouter(deps));
  return router;
}
