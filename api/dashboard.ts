/**
 * The plan's targets against reality, for a period, per grid and category: average handling time in working days
 * (≤ 7), satisfaction (≥ 90 %, formula chosen by the caller), on-time rate per class and per clock, share resolved in
 * the first round, key persons' repeat petitions against the period before (target: halved), conversions (target:
 * ≥ 30 % volunteers), campaign coverage (≥ 90 %); a CSV of the period's cases; the annual statistics report (Art 41).
 * No personal data leaves here.
 */
import { z } from 'zod';
import type { ApiDeps } from './deps';
import { csvDocument } from './csv';
import { route, type Role, type RouteSpec } from './route';
import { filterCategoryCode } from './categories';
import { localDay, plusDays, startOfDay } from '../domain/calendar';
import {
  channelFigures,
  closedCaseRows,
  closedCaseTallies,
  keyPersonPetitionCounts,
  monthlyFigures,
  receivedCount,
  type Tally,
} from '../domain/cases';
import { registryCounts } from '../domain/key-persons';
import { campaignTotals } from '../domain/prevention';
import { storedTargets } from '../domain/settings';
import { extensionFigures, reviewFigures } from '../domain/cases';

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
 * Which cases of the period the figures count: of a grid and of a category when given (a dictionary code, name or
 * synonym; a main class takes in its items).
 */
async function caseFilter(deps: ApiDeps, f: FilterInput) {
  return {
    gridId: f.gridId ?? null,
    category: f.category ? await filterCategoryCode(deps.db, f.category) : null,
  };
}

/** The targets as an admin set them (settings key `targets`), else the plan's. */
export async function targets(deps: ApiDeps): Promise<typeof TARGETS> {
  return { ...TARGETS, ...((await storedTargets<typeof TARGETS>(deps.db)) ?? {}) };
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
  const repeats = await keyPersonPetitionCounts(
    deps.db,
    p,
    new Date(new Date(p.fromTs).getTime() - lengthMs).toISOString(),
  );
  const persons = await registryCounts(deps.db);
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
  const campaigns = await campaignTotals(deps.db, p.from, p.to);
  return {
    count: campaigns.quarters,
    coveragePercent: pct(campaigns.visited, campaigns.quarters > 0 ? campaigns.households : 0),
  };
}

/**
 * The law's procedures in the period: extensions of the handling limit (Art 34, by the timeline's `extension-*`
 * kinds), reviews (Art 35) and re-reviews (Art 36) asked for and answered, by outcome, late, and open past due.
 */
async function procedureFigures(deps: ApiDeps, p: ReturnType<typeof period>) {
  const [extensions, reviews] = await Promise.all([
    extensionFigures(deps.db, p),
    reviewFigures(deps.db, p, deps.now()),
  ]);
  const of = (kind: string) => {
    const { kind: _kind, ...counts } = reviews.find((r) => r.kind === kind) ?? {
      kind,
      requested: 0,
      answered: 0,
      upheld: 0,
      revised: 0,
      late: 0,
      overdueOpen: 0,
    };
    return counts;
  };
  return {
    extensions: { granted: extensions['extension-granted'] ?? 0, byKind: extensions },
    reviews: of('review'),
    reReviews: of('re-review'),
  };
}

/** The period's figures against the targets: in all, per class, per grid and per category. */
async function figures(deps: ApiDeps, f: FilterInput) {
  const p = period(f, deps.now(), deps.timeZone);
  const rows = await closedCaseTallies(deps.db, p, await caseFilter(deps, f), f.satisfaction === 'satisfied-and-basic');
  const all = rows.find((r) => r.set === 'all') ?? NO_TALLY;
  const received = await receivedCount(deps.db, p, await caseFilter(deps, f));
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
  const procedures = await procedureFigures(deps, p);
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
    procedures,
    byGrid: group('grid'),
    byCategory: group('category'),
  };
}

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
      const rows = await closedCaseRows(deps.db, p, await caseFilter(deps, query), user.id);
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
      return csvDocument(
        header,
        rows.map((r) => [
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
        ]),
      );
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
      const months = await monthlyFigures(deps.db, p, deps.timeZone);
      const channels = await channelFigures(deps.db, p);
      return { year: query.year, ...totals, months, channels };
    },
  }),
];
