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
import { route, type Role, type RouteSpec } from './route';
import { localDay } from '../domain/calendar';

export const HAZARD_CATEGORIES = [
  'neighbour-relations',
  'property-management',
  'family-conflict',
  'policy-implementation',
] as const;
const CATEGORY_ZH: Record<(typeof HAZARD_CATEGORIES)[number], string> = {
  'neighbour-relations': '邻里关系',
  'property-management': '物业管理',
  'family-conflict': '家庭矛盾',
  'policy-implementation': '政策落实',
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
    const [grid] = await deps.db.query<{ id: string }>('SELECT id FROM grid WHERE id = $1', [gridId]);
    if (!grid) throw problems.badRequest({ zh: '网格不存在。', en: 'No such grid.' }, { field: 'gridId' });
    const grids = await gridScope(deps, user);
    if (grids && !grids.includes(grid.id)) throw notYourGrid();
    return grid.id;
  }
  const [own] = await deps.db.query<{ id: string }>(
    'SELECT id FROM grid WHERE grid_worker_id = $1 ORDER BY code LIMIT 1',
    [user.id],
  );
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
      const [row] = await deps.db.query(
        `INSERT INTO patrol_log (grid_id, worker_id, patrolled_on, households_visited, notes) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, grid_id AS "gridId", to_char(patrolled_on, 'YYYY-MM-DD') AS "patrolledOn", households_visited AS "householdsVisited", notes`,
        [gridId, user.id, body.patrolledOn, body.householdsVisited, body.notes ?? null],
      );
      return row;
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
      const items = await deps.db.query(
        `SELECT p.id, p.grid_id AS "gridId", g.name AS grid, u.display_name AS worker, to_char(p.patrolled_on, 'YYYY-MM-DD') AS "patrolledOn",
                p.households_visited AS "householdsVisited", p.notes
         FROM patrol_log p JOIN grid g ON g.id = p.grid_id JOIN app_user u ON u.id = p.worker_id
         WHERE ($1::uuid IS NULL OR p.grid_id = $1) AND ($3::uuid[] IS NULL OR p.grid_id = ANY($3::uuid[]))
         ORDER BY p.patrolled_on DESC, p.created_at DESC LIMIT $2`,
        [query.gridId ?? null, query.limit, await gridScope(deps, user)],
      );
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
        category: z.enum(HAZARD_CATEGORIES),
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
      if (body.compoundId) {
        const [compound] = await deps.db.query('SELECT 1 FROM compound WHERE id = $1 AND grid_id = $2', [
          body.compoundId,
          gridId,
        ]);
        if (!compound)
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
              category: CATEGORY_ZH[body.category],
              description: body.description,
              compoundId: body.compoundId,
              petitioner: body.petitioner ? { ...body.petitioner, consentPublishName: false } : undefined,
              accusation: false,
            })
          : null;
      const [row] = await deps.db.query(
        `INSERT INTO hazard_record (grid_id, compound_id, reported_by, found_at, category, description, disposition, outcome, case_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, category, disposition, outcome, case_id AS "caseId", found_at AS "foundAt"`,
        [
          gridId,
          body.compoundId ?? null,
          user.id,
          deps.now().toISOString(),
          body.category,
          body.description,
          body.disposition,
          body.outcome ?? null,
          petition?.id ?? null,
        ],
      );
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
      const [range] = await deps.db.query<{ from: string; to: string }>(
        `SELECT to_char(date_trunc($1, $2::date), 'YYYY-MM-DD') AS "from",
                to_char(date_trunc($1, $2::date) + CASE WHEN $1 = 'week' THEN interval '6 days' ELSE interval '1 month' - interval '1 day' END, 'YYYY-MM-DD') AS "to"`,
        [query.period, anchor],
      );
      // Per grid, one pass over its patrol logs and one over its hazards of the period (in the grid's own days).
      const grids = await deps.db.query(
        `SELECT g.id, g.code, g.name, p."patrolDays", p."householdsVisited",
                COALESCE(sum(h.n), 0)::int AS hazards,
                COALESCE(sum(h.n) FILTER (WHERE h.disposition = 'mediated'), 0)::int AS mediated,
                COALESCE(sum(h.n) FILTER (WHERE h.disposition = 'reported'), 0)::int AS reported,
                COALESCE((SELECT json_object_agg(c.category, c.n) FROM (
                   SELECT hr.category, count(*)::int AS n FROM hazard_record hr
                   WHERE hr.grid_id = g.id AND (hr.found_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date GROUP BY hr.category) c), '{}') AS "byCategory"
         FROM grid g
         CROSS JOIN LATERAL (
           SELECT count(DISTINCT pl.patrolled_on)::int AS "patrolDays", COALESCE(sum(pl.households_visited), 0)::int AS "householdsVisited"
           FROM patrol_log pl WHERE pl.grid_id = g.id AND pl.patrolled_on BETWEEN $1::date AND $2::date) p
         LEFT JOIN LATERAL (
           SELECT hr.disposition, count(*)::int AS n FROM hazard_record hr
           WHERE hr.grid_id = g.id AND (hr.found_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date GROUP BY hr.disposition) h ON true
         GROUP BY g.id, p."patrolDays", p."householdsVisited"
         ORDER BY g.code`,
        [range.from, range.to, deps.timeZone],
      );
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
      const items = await deps.db.query(
        `SELECT c.id, c.quarter, c.theme, c.team,
                COALESCE(sum(v.households_visited), 0)::int AS "householdsVisited",
                (SELECT COALESCE(sum(households), 0)::int FROM compound) AS households,
                COALESCE(sum(v.conflicts_found), 0)::int AS "conflictsFound", COALESCE(sum(v.conflicts_resolved), 0)::int AS "conflictsResolved"
         FROM campaign c LEFT JOIN campaign_coverage v ON v.campaign_id = c.id GROUP BY c.id ORDER BY c.quarter`,
      );
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
      const [taken] = await deps.db.query('SELECT 1 FROM campaign WHERE quarter = $1', [body.quarter]);
      if (taken)
        throw problems.conflict({
          zh: `${body.quarter} 已有专项活动。`,
          en: `${body.quarter} already has a campaign.`,
        });
      const [row] = await deps.db.query(
        'INSERT INTO campaign (quarter, theme, team) VALUES ($1, $2, $3) RETURNING id, quarter, theme, team',
        [body.quarter, body.theme, body.team ?? null],
      );
      return row;
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
      const [compound] = await deps.db.query<{ households: number; grid_id: string }>(
        'SELECT households, grid_id FROM compound WHERE id = $1',
        [params.compoundId],
      );
      const [campaign] = await deps.db.query('SELECT 1 FROM campaign WHERE id = $1', [params.id]);
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
      await deps.db.query(
        `INSERT INTO campaign_coverage (campaign_id, compound_id, households_visited, conflicts_found, conflicts_resolved) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, compound_id) DO UPDATE SET households_visited = $3, conflicts_found = $4, conflicts_resolved = $5`,
        [params.id, params.compoundId, body.householdsVisited, body.conflictsFound, body.conflictsResolved],
      );
      return { campaignId: params.id, compoundId: params.compoundId, ...body };
    },
  }),
];
