/** Early warnings: the rules (admins edit them; check-early-warning applies them at intake) and the alerts raised. */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { alertList } from '../domain/cases';
import { compoundExists } from '../domain/grids';
import { insertRule, updateRule, warningRules } from '../domain/warnings';
import { NOW, type ApiDeps } from './deps';
import { followAlertProcesses } from './alert-states';
import { route, type Role, type RouteSpec } from './route';
import { categoryFor } from './categories';

const READ: Role[] = ['admin', 'leader', 'cadre', 'secretary'];
const IdParam = z.object({ id: z.uuid() }).strict();
const Rule = z
  .object({
    name: z.string().trim().min(1).max(100),
    category: z.string().trim().min(1).max(50).nullable().default(null),
    scope: z.enum(['compound', 'grid']).default('compound'),
    compoundId: z.uuid().nullable().default(null),
    windowDays: z.number().int().min(1).max(366),
    threshold: z.number().int().min(2).max(1000),
    enabled: z.boolean().default(true),
  })
  .strict();

async function checkCompound(deps: ApiDeps, compoundId: string | null) {
  if (!compoundId) return;
  if (!(await compoundExists(deps.db, compoundId)))
    throw problems.badRequest({ zh: '小区不存在。', en: 'The compound does not exist.' }, { field: 'compoundId' });
}

/** A rule's category as its dictionary code (a main class counts its items); null for any category. */
async function ruleCategory(deps: ApiDeps, given: string | null): Promise<string | null> {
  return given === null ? null : (await categoryFor(deps.db, given)).code;
}

export const warningRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/warning-rules',
    tag: 'early warnings',
    summary: 'The early-warning rules',
    access: READ,
    handle: async ({ deps }) => ({
      items: await warningRules(deps.db),
    }),
  }),
  route({
    method: 'post',
    path: '/warning-rules',
    tag: 'early warnings',
    summary: 'Add a rule (category or any, per compound or grid, window in days, threshold)',
    access: ['admin'],
    body: Rule,
    status: 201,
    async handle({ deps, body }) {
      await checkCompound(deps, body.compoundId);
      return insertRule(deps.db, { ...body, category: await ruleCategory(deps, body.category) });
    },
  }),
  route({
    method: 'put',
    path: '/warning-rules/:id',
    tag: 'early warnings',
    summary: 'Change a rule (applies to complaints screened from now on)',
    access: ['admin'],
    params: IdParam,
    body: Rule,
    async handle({ deps, params, body }) {
      await checkCompound(deps, body.compoundId);
      const row = await updateRule(deps.db, params.id, { ...body, category: await ruleCategory(deps, body.category) });
      if (!row) throw problems.notFound({ zh: '预警规则不存在。', en: 'No such rule.' });
      return row;
    },
  }),
  route({
    method: 'get',
    path: '/warning-alerts',
    tag: 'early warnings',
    summary:
      'Alerts raised, newest first, with their cases and where their joint handling stands (closed when it completed, canceled when it was cancelled)',
    access: READ,
    query: z.object({ status: z.enum(['open', 'handling', 'closed', 'canceled', 'all']).default('all') }).strict(),
    // (an alert's cases leave out one that accuses the reader, Art 30)
    async handle({ deps, query, user }) {
      // The status follows the process: one the watcher has not caught up with yet is brought up to date first.
      await followAlertProcesses(deps).catch((error: unknown) =>
        deps.log.warn({ err: error }, 'alert states not brought up to date: the engine does not answer'),
      );
      const rows = await alertList(deps.db, query.status, user.id);
      const engine = deps.engine();
      const items = await Promise.all(
        rows.map(async (row) => {
          if (!row.processInstanceKey) return { ...row, processState: null };
          const instance = await engine
            .getProcessInstance({ processInstanceKey: row.processInstanceKey }, NOW)
            .catch(() => null);
          return { ...row, processState: instance ? String(instance.state) : null };
        }),
      );
      return { items };
    },
  }),
];
