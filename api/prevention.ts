/**
 * Prevention: grid workers' daily patrol log and hazard records (矛盾隐患记录表: neighbour relations, property
 * management, family conflicts, policy implementation — mediated on the spot, or reported: a reported hazard becomes
 * a petition at once), weekly and monthly summaries per grid, and the quarterly campaigns with their household
 * coverage.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { fileCase, PetitionerName, Phone } from './intake';
import type { ApiDeps } from './deps';
import type { SessionUser } from './auth';
import { gridScope } from './case-access';
import { categoryFor } from './categories';
import { route, type Role, type RouteSpec } from './route';
import { localDay } from '../domain/calendar';
import { compoundHouseholds, compoundInGrid, findGrid, firstGridOfWorker } from '../domain/grids';
import {
  campaignExists,
  campaigns,
  gridSummaries,
  insertCampaign,
  logPatrol,
  patrolLog,
  periodRange,
  quarterHasCampaign,
  recordHazard,
  setCoverage,
} from '../domain/prevention';

/**
 * The four hazard kinds of the first forms, as the category dictionary's main classes they became: a client that
 * still sends them is understood. Any other dictionary code, name or synonym is taken as well.
 */
const HAZARD_ALIASES: Record<string, string> = {
  'neighbour-relations': 'neighbour',
  'property-management': 'property',
  'family-conflict': 'family',
  'policy-implementation': 'policy',
};
const GRID_STAFF: Role[] = ['grid-worker', 'cadre', 'secretary', 'leader', 'admin'];
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式为 YYYY-MM-DD / a date is YYYY-MM-DD' });

const notYourGrid = () =>
  problems.forbidden({ zh: '网格员只能记录自己的网格。', en: 'A grid worker records for their own grid only.' });

/**
 * The grid a grid worker patrols; other roles name the grid they record for. A grid worker (whatever other roles
 * they hold, short of a whole-community one) records only for the grids they belong to.
 */
async function gridFor(
  deps: ApiDeps,
  user: Pick<SessionUser, 'id' | 'roles'>,
  gridId: string | undefined,
): Promise<string> {
  if (gridId) {
    const grid = await findGrid(deps.db, gridId);
    if (!grid) throw problems.badRequest({ zh: '网格不存在。', en: 'No such grid.' }, { field: 'gridId' });
    const grids = await gridScope(deps, user);
    if (grids && !grids.includes(grid.id)) throw notYourGrid();
    return grid.id;
  }
  const own = await firstGridOfWorker(deps.db, user.id);
  if (!own) throw problems.badRequest({ zh: '请指定网格。', en: 'Name the grid (gridId).' }, { field: 'gridId' });
  return own.id;
}

export const preventionRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/patrols',
    tag: 'grids',
    summary: "Log a day's patrol of a grid",
    access: GRID_STAFF,
    body: z
      .object({
        gridId: z.uuid().optional(),
        patrolledOn: Day,
        householdsVisited: z.number().int().min(0).max(10000).default(0),
        notes: z.string().trim().max(2000).optional(),
      })
      .strict(),
    status: 201,
    async handle({ deps, user, body }) {
      const gridId = await gridFor(deps, user, body.gridId);
      return logPatrol(deps.db, {
        gridId,
        workerId: user.id,
        patrolledOn: body.patrolledOn,
        householdsVisited: body.householdsVisited,
        notes: body.notes ?? null,
      });
    },
  }),
  route({
    method: 'get',
    path: '/patrols',
    tag: 'grids',
    summary: "The patrol log, newest first (optionally of one grid; a grid worker's of their own grids)",
    access: GRID_STAFF,
    query: z
      .object({ gridId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
      .strict(),
    async handle({ deps, query, user }) {
      const items = await patrolLog(deps.db, query.gridId ?? null, query.limit, await gridScope(deps, user));
      return { items };
    },
  }),
  route({
    method: 'post',
    path: '/hazards',
    tag: 'grids',
    summary: 'Record a hazard found on patrol: mediated on the spot, or reported (it becomes a petition now)',
    access: GRID_STAFF,
    body: z
      .object({
        gridId: z.uuid().optional(),
        compoundId: z.uuid().optional(),
        category: z.string().trim().min(1).max(50),
        description: z.string().trim().min(1).max(5000),
        disposition: z.enum(['mediated', 'reported']),
        outcome: z.string().trim().max(2000).optional(),
        // As at intake: a phone without a name is kept (未留姓名), not dropped.
        petitioner: z
          .object({
            name: PetitionerName,
            phone: Phone.optional(),
          })
          .strict()
          .refine((p) => p.name || p.phone, {
            message: '请填写信访人的姓名或手机号 / give the petitioner’s name or phone',
            path: ['name'],
          })
          .optional(),
      })
      .strict(),
    status: 201,
    async handle({ deps, user, body }) {
      const gridId = await gridFor(deps, user, body.gridId);
      const category = await categoryFor(deps.db, HAZARD_ALIASES[body.category] ?? body.category);
      if (body.compoundId) {
        if (!(await compoundInGrid(deps.db, body.compoundId, gridId)))
          throw problems.badRequest(
            { zh: '该小区不在此网格内。', en: 'The compound is not in this grid.' },
            { field: 'compoundId' },
          );
      }
      if (body.disposition === 'mediated' && !body.outcome) {
        throw problems.badRequest(
          { zh: '就地化解的隐患请填写化解结果。', en: 'A hazard mediated on the spot needs its outcome.' },
          { field: 'outcome' },
        );
      }
      // Reported: the petition is filed now, from the grid, with the grid worker as its first responder.
      const petition =
        body.disposition === 'reported'
          ? await fileCase(deps, user.id, user.username, {
              channel: 'grid-report',
              category: category.code,
              description: body.description,
              compoundId: body.compoundId,
              petitioner: body.petitioner ? { ...body.petitioner, consentPublishName: false } : undefined,
              accusation: false,
            })
          : null;
      const row = await recordHazard(deps.db, {
        gridId,
        compoundId: body.compoundId ?? null,
        reportedBy: user.id,
        foundAt: deps.now().toISOString(),
        category: category.code,
        description: body.description,
        disposition: body.disposition,
        outcome: body.outcome ?? null,
        caseId: petition?.id ?? null,
      });
      return { ...row, caseNo: petition?.caseNo ?? null };
    },
  }),
  route({
    method: 'get',
    path: '/grids/summary',
    tag: 'grids',
    summary:
      'Weekly or monthly summary per grid: patrol days, households visited, hazards by category, mediated on the spot or reported',
    access: GRID_STAFF,
    query: z.object({ period: z.enum(['week', 'month']).default('week'), date: Day.optional() }).strict(),
    async handle({ deps, query }) {
      const anchor = query.date ?? localDay(deps.now(), deps.timeZone); // today where the grid is, not in UTC
      const range = await periodRange(deps.db, query.period, anchor);
      const grids = await gridSummaries(deps.db, range.from, range.to, deps.timeZone);
      return { period: query.period, from: range.from, to: range.to, grids };
    },
  }),
  route({
    method: 'get',
    path: '/campaigns',
    tag: 'grids',
    summary: 'Quarterly campaigns with their household coverage and conflicts resolved early',
    access: GRID_STAFF,
    async handle({ deps }) {
      const items = await campaigns(deps.db);
      return {
        items: items.map((c: Record<string, unknown>) => ({
          ...c,
          coverage:
            Number(c.households) > 0 ? Math.round((Number(c.householdsVisited) / Number(c.households)) * 1000) / 10 : 0,
          resolvedEarly:
            Number(c.conflictsFound) > 0
              ? Math.round((Number(c.conflictsResolved) / Number(c.conflictsFound)) * 1000) / 10
              : null,
        })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/campaigns',
    tag: 'grids',
    summary: "Set up a quarter's campaign (theme and joint team)",
    access: ['cadre', 'secretary', 'leader', 'admin'],
    body: z
      .object({
        quarter: z.string().regex(/^\d{4}-Q[1-4]$/, { message: '季度格式为 2026-Q1 / a quarter looks like 2026-Q1' }),
        theme: z.string().trim().min(1).max(100),
        team: z.string().trim().max(500).optional(),
      })
      .strict(),
    status: 201,
    async handle({ deps, body }) {
      if (await quarterHasCampaign(deps.db, body.quarter))
        throw problems.conflict({
          zh: `${body.quarter} 已有专项活动。`,
          en: `${body.quarter} already has a campaign.`,
        });
      return insertCampaign(deps.db, { quarter: body.quarter, theme: body.theme, team: body.team ?? null });
    },
  }),
  route({
    method: 'put',
    path: '/campaigns/:id/coverage/:compoundId',
    tag: 'grids',
    summary: "Record a compound's door-to-door coverage in a campaign",
    access: GRID_STAFF,
    params: z.object({ id: z.uuid(), compoundId: z.uuid() }).strict(),
    body: z
      .object({
        householdsVisited: z.number().int().min(0).max(100000),
        conflictsFound: z.number().int().min(0).max(100000).default(0),
        conflictsResolved: z.number().int().min(0).max(100000).default(0),
      })
      .strict(),
    async handle({ deps, params, body, user }) {
      const compound = await compoundHouseholds(deps.db, params.compoundId);
      const campaign = await campaignExists(deps.db, params.id);
      if (!compound || !campaign)
        throw problems.notFound({ zh: '活动或小区不存在。', en: 'No such campaign or compound.' });
      const grids = await gridScope(deps, user);
      if (grids && !grids.includes(compound.grid_id)) throw notYourGrid();
      if (body.householdsVisited > compound.households) {
        throw problems.badRequest(
          {
            zh: `走访户数不能超过小区户数（${compound.households}）。`,
            en: `Visited households cannot exceed the compound's ${compound.households}.`,
          },
          { field: 'householdsVisited' },
        );
      }
      if (body.conflictsResolved > body.conflictsFound) {
        throw problems.badRequest(
          { zh: '化解数不能多于发现数。', en: 'More conflicts resolved than found.' },
          { field: 'conflictsResolved' },
        );
      }
      await setCoverage(deps.db, params.id, params.compoundId, body);
      return { campaignId: params.id, compoundId: params.compoundId, ...body };
    },
  }),
];
