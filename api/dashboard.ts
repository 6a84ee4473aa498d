/**
 * The plan's targets against reality, for a period, per grid and category: average handling time in working days
 * (≤ 7), satisfaction (≥ 90 %, formula chosen by the caller), on-time rate per class and per clock, share resolved in
 * the first round, key persons' repeat petitions against the period before (target: halved), conversions (target:
 * ≥ 30 % volunteers), campaign coverage (≥ 90 %); a CSV of the period's cases; the annual statistics report (Art 41).
 * No personal data leaves here.
 */
import { z } from 'zod';
import type { ApiDeps } from './deps';
import { route, type Role, type RouteSpec } from './route';
import { localDay, plusDays, startOfDay } from '../domain/calendar';

const READ: Role[] = ['leader', 'admin', 'secretary', 'cadre', 'street-office'];
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式为 YYYY-MM-DD / a date is YYYY-MM-DD' });
const Filter = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    gridId: z.uuid().optional(),
    category: z.string().max(50).optional(),
    /** satisfied-and-basic: (satisfied + basically satisfied) / rated; satisfied-only: satisfied / rated. */
    satisfaction: z.enum(['satisfied-and-basic', 'satisfied-only']).default('satisfied-and-basic'),
  })
  .strict();
type FilterInput = z.infer<typeof Filter>;

export const TARGETS = {
  avgHandlingWorkingDays: 7,
  satisfactionPercent: 90,
  repeatReduction: 50,
  volunteerConversionPercent: 30,
  campaignCoveragePercent: 90,
};

const pct = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 1000) / 10 : null);

/** The period (default: this year so far) as [from, to) instants in the business time zone. */
function period(f: FilterInput, now: Date, timeZone: string) {
  // Dates are the business time zone's (Beijing's): from 16:00 UTC on it is already tomorrow there, and today's
  // cases count.
  const today = localDay(now, timeZone);
  const from = f.from ?? `${today.slice(0, 4)}-01-01`;
  const to = f.to ?? plusDays(today, 1);
  return { from, to, fromTs: startOfDay(from, timeZone).toISOString(), toTs: startOfDay(to, timeZone).toISOString() };
}

/**
 * One row per case closed in the period ($1, $2; the case's closing instant on the business clock, not the event row's
 * database time), of a grid ($3) and category ($4) when given, less the cases that
 * accuse the reader ($5) when given: what the CSV lists and the figures count.
 */
const CLOSED_ROWS = `
  SELECT c.case_no, c.category, g.name AS grid, c.case_class, c.handling_round, c.received_at, c.closed_at,
         (e.detail->>'handlingWorkingDays')::int AS working_days, (e.detail->>'onTimeInternal')::boolean AS on_time_internal,
         (e.detail->>'onTimeLegal')::boolean AS on_time_legal, e.detail->>'reason' AS reason,
         (SELECT r.rating FROM case_rating r WHERE r.case_id = c.id ORDER BY r.round DESC LIMIT 1) AS final_rating
  FROM case_event e JOIN petition_case c ON c.id = e.case_id
  LEFT JOIN compound comp ON comp.id = c.compound_id LEFT JOIN grid g ON g.id = comp.grid_id
  WHERE e.kind = 'closed' AND c.closed_at >= $1 AND c.closed_at < $2
    AND ($3::uuid IS NULL OR comp.grid_id = $3) AND ($4::text IS NULL OR c.category = $4)
    AND ($5::uuid IS NULL OR c.accused_user_id IS DISTINCT FROM $5)`;

/** The CSV's rows. */
async function closedCases(
  deps: ApiDeps,
  f: FilterInput,
  p: ReturnType<typeof period>,
  readerId: string | null = null,
) {
  return deps.db.query<{
    case_no: string;
    category: string;
    grid: string | null;
    case_class: string | null;
    handling_round: number;
    received_at: Date;
    closed_at: Date;
    working_days: number | null;
    on_time_internal: boolean | null;
    on_time_legal: boolean | null;
    reason: string | null;
    final_rating: string | null;
  }>(`${CLOSED_ROWS} ORDER BY c.closed_at`, [p.fromTs, p.toTs, f.gridId ?? null, f.category ?? null, readerId]);
}

/** The targets as an admin set them (settings key `targets`), else the plan's. */
export async function targets(deps: ApiDeps): Promise<typeof TARGETS> {
  const [row] = await deps.db.query<{ value: Partial<typeof TARGETS> }>(
    "SELECT value FROM app_setting WHERE key = 'targets'",
  );
  return { ...TARGETS, ...(row?.value ?? {}) };
}

/** What the figures count, per group of closed cases. */
interface Tally {
  closed: number;
  day_count: number;
  day_sum: number;
  rated: number;
  good: number;
  internal_known: number;
  internal_on: number;
  legal_known: number;
  legal_on: number;
  first_round: number;
}

/**
 * The period's closed cases counted in the database, in one pass: all of them, and per grid, per category and per
 * class (grouping sets). The CSV's rows, every case (the figures name none); not read into the app to be counted.
 */
async function tallies(deps: ApiDeps, f: FilterInput, p: ReturnType<typeof period>) {
  return deps.db.query<Tally & { set: 'all' | 'grid' | 'category' | 'class'; name: string | null }>(
    `WITH closed AS (${CLOSED_ROWS})
     SELECT CASE WHEN grouping(grid) = 0 THEN 'grid' WHEN grouping(category) = 0 THEN 'category' WHEN grouping(case_class) = 0 THEN 'class' ELSE 'all' END AS set,
            COALESCE(grid, category, case_class) AS name,
            count(*)::int AS closed, count(working_days)::int AS day_count, COALESCE(sum(working_days), 0)::int AS day_sum,
            count(final_rating)::int AS rated,
            count(*) FILTER (WHERE final_rating = 'satisfied' OR ($6 AND final_rating = 'basically-satisfied'))::int AS good,
            count(on_time_internal)::int AS internal_known, count(*) FILTER (WHERE on_time_internal)::int AS internal_on,
            count(on_time_legal)::int AS legal_known, count(*) FILTER (WHERE on_time_legal)::int AS legal_on,
            count(*) FILTER (WHERE handling_round = 1)::int AS first_round
     FROM closed GROUP BY GROUPING SETS ((), (grid), (category), (case_class))
     ORDER BY closed DESC, name`,
    [p.fromTs, p.toTs, f.gridId ?? null, f.category ?? null, null, f.satisfaction === 'satisfied-and-basic'],
  );
}

/** A group of closed cases with none in it. */
const NO_TALLY: Tally = {
  closed: 0,
  day_count: 0,
  day_sum: 0,
  rated: 0,
  good: 0,
  internal_known: 0,
  internal_on: 0,
  legal_known: 0,
  legal_on: 0,
  first_round: 0,
};

/** A group's average handling time in working days, to one decimal; null when no closed case counted the days. */
const avgDays = (t: Tally) => (t.day_count ? Math.round((t.day_sum / t.day_count) * 10) / 10 : null);

/** Key persons: how many are registered and converted, and their petitions in the period against the one before. */
async function keyPersonFigures(deps: ApiDeps, p: ReturnType<typeof period>) {
  // Their petitions in this period against the period of equal length before it.
  const lengthMs = new Date(p.toTs).getTime() - new Date(p.fromTs).getTime();
  const [repeats] = await deps.db.query<{ now: number; before: number }>(
    `SELECT count(*) FILTER (WHERE c.received_at >= $1 AND c.received_at < $2)::int AS now,
            count(*) FILTER (WHERE c.received_at >= $3 AND c.received_at < $1)::int AS before
     FROM petition_case c WHERE c.resident_id IN (SELECT resident_id FROM key_person)`,
    [p.fromTs, p.toTs, new Date(new Date(p.fromTs).getTime() - lengthMs).toISOString()],
  );
  const [persons] = await deps.db.query<{ total: number; volunteers: number; converted: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE conversion_role = 'volunteer')::int AS volunteers,
            count(*) FILTER (WHERE conversion_role IS NOT NULL)::int AS converted FROM key_person`,
  );
  return {
    registered: persons.total,
    repeatPetitions: repeats.now,
    repeatPetitionsPeriodBefore: repeats.before,
    repeatReduction: repeats.before > 0 ? Math.round((1 - repeats.now / repeats.before) * 1000) / 10 : null,
    converted: persons.converted,
    volunteerPercent: pct(persons.volunteers, persons.total),
  };
}

/** The campaigns of the period's years: how many, and the share of households they visited. */
async function campaignFigures(deps: ApiDeps, p: ReturnType<typeof period>) {
  const [campaigns] = await deps.db.query<{ visited: number; households: number; quarters: number }>(
    `SELECT COALESCE(sum(v.households_visited), 0)::int AS visited, count(DISTINCT c.id)::int AS quarters,
            (SELECT COALESCE(sum(households), 0)::int FROM compound) * GREATEST(count(DISTINCT c.id), 1) AS households
     FROM campaign c LEFT JOIN campaign_coverage v ON v.campaign_id = c.id
     WHERE c.quarter >= to_char($1::date, 'YYYY') || '-Q1' AND c.quarter <= to_char($2::date, 'YYYY') || '-Q4'`,
    [p.from, p.to],
  );
  return {
    count: campaigns.quarters,
    coveragePercent: pct(campaigns.visited, campaigns.quarters > 0 ? campaigns.households : 0),
  };
}

/** The period's figures against the targets: in all, per class, per grid and per category. */
async function figures(deps: ApiDeps, f: FilterInput) {
  const p = period(f, deps.now(), deps.timeZone);
  const rows = await tallies(deps, f, p);
  const all = rows.find((r) => r.set === 'all') ?? NO_TALLY;
  const [{ received }] = await deps.db.query<{ received: number }>(
    `SELECT count(*)::int AS received FROM petition_case c LEFT JOIN compound comp ON comp.id = c.compound_id
     WHERE c.received_at >= $1 AND c.received_at < $2 AND c.duplicate_of IS NULL
       AND ($3::uuid IS NULL OR comp.grid_id = $3) AND ($4::text IS NULL OR c.category = $4)`,
    [p.fromTs, p.toTs, f.gridId ?? null, f.category ?? null],
  );
  const byClass = Object.fromEntries(
    ['simple', 'complex', 'difficult'].map((k) => {
      const t = rows.find((r) => r.set === 'class' && r.name === k) ?? NO_TALLY;
      return [
        k,
        {
          closed: t.closed,
          onTimeInternal: pct(t.internal_on, t.internal_known),
          onTimeLegal: pct(t.legal_on, t.legal_known),
        },
      ];
    }),
  );
  const group = (set: 'grid' | 'category') =>
    rows
      .filter((r) => r.set === set)
      .map((t) => ({
        name: t.name ?? '（未指定）',
        closed: t.closed,
        avgHandlingWorkingDays: avgDays(t),
        satisfaction: pct(t.good, t.rated),
      }));
  const keyPersons = await keyPersonFigures(deps, p);
  const campaigns = await campaignFigures(deps, p);
  return {
    period: { from: p.from, to: p.to },
    targets: await targets(deps),
    received,
    closed: all.closed,
    avgHandlingWorkingDays: avgDays(all),
    satisfaction: { formula: f.satisfaction, rated: all.rated, percent: pct(all.good, all.rated) },
    onTime: { internal: pct(all.internal_on, all.internal_known), legal: pct(all.legal_on, all.legal_known), byClass },
    resolvedFirstRound: pct(all.first_round, all.closed),
    keyPersons,
    campaigns,
    byGrid: group('grid'),
    byCategory: group('category'),
  };
}

const csvCell = (v: unknown) => {
  let s = '';
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else if (v !== null && v !== undefined) s = JSON.stringify(v);
  // A cell starting with = + - @ is text, not a spreadsheet formula.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const dashboardRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/dashboard',
    tag: 'dashboards',
    summary: "The plan's targets against reality for a period (default: this year), per grid and category",
    access: READ,
    query: Filter,
    handle: ({ deps, query }) => figures(deps, query),
  }),
  route({
    method: 'get',
    path: '/dashboard/cases.csv',
    tag: 'dashboards',
    summary: "The period's closed cases as CSV (no personal data)",
    access: READ,
    query: Filter,
    produces: 'text/csv',
    async handle({ deps, query, res, user }) {
      const p = period(query, deps.now(), deps.timeZone);
      // The figures count every case; the rows, which name cases, leave out one that accuses the reader (Art 30).
      const rows = await closedCases(deps, query, p, user.id);
      res.setHeader('Content-Disposition', `attachment; filename="cases-${p.from}-${p.to}.csv"`);
      const header = [
        '案件编号 case_no',
        '类别 category',
        '网格 grid',
        '分类 class',
        '办理轮次 round',
        '受理 received',
        '办结 closed',
        '工作日 working_days',
        '内部按期 on_time_internal',
        '法定按期 on_time_legal',
        '最终评价 rating',
        '销号原因 reason',
      ];
      const lines = rows.map((r) =>
        [
          r.case_no,
          r.category,
          r.grid,
          r.case_class,
          r.handling_round,
          r.received_at,
          r.closed_at,
          r.working_days,
          r.on_time_internal,
          r.on_time_legal,
          r.final_rating,
          r.reason,
        ]
          .map(csvCell)
          .join(','),
      );
      return `\uFEFF${[header.map(csvCell).join(','), ...lines].join('\r\n')}\r\n`;
    },
  }),
  route({
    method: 'get',
    path: '/reports/annual',
    tag: 'dashboards',
    summary:
      'The annual statistics report (信访工作条例 Art 41): the year by month, category and grid, with the targets',
    access: READ,
    query: z.object({ year: z.coerce.number().int().min(2000).max(2200) }).strict(),
    async handle({ deps, query }) {
      const f = Filter.parse({ from: `${query.year}-01-01`, to: `${query.year + 1}-01-01` });
      const totals = await figures(deps, f);
      const p = period(f, deps.now(), deps.timeZone);
      const year = [p.fromTs, p.toTs];
      const months = await deps.db.query(
        `SELECT to_char(c.received_at AT TIME ZONE $3, 'YYYY-MM') AS month, count(*)::int AS received,
                count(*) FILTER (WHERE c.status = 'closed')::int AS closed, count(*) FILTER (WHERE c.channel = 'hotline-12345')::int AS hotline,
                count(*) FILTER (WHERE c.duplicate_of IS NOT NULL)::int AS repeats
         FROM petition_case c WHERE c.received_at >= $1 AND c.received_at < $2 GROUP BY 1 ORDER BY 1`,
        [...year, deps.timeZone],
      );
      const channels = await deps.db.query(
        `SELECT channel, count(*)::int AS received FROM petition_case WHERE received_at >= $1 AND received_at < $2 GROUP BY channel ORDER BY channel`,
        year,
      );
      return { year: query.year, ...totals, months, channels };
    },
  }),
];
