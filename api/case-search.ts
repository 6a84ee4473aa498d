/**
 * 案件中心 (the case centre): GET /cases finds the cases the reader reaches (domain/cases/search.ts) by one search term
 * and filters, a page at a time by an opaque cursor; /cases/facets gives the filters' choices; /cases/export.csv the
 * filtered list as CSV, personal data masked. Dates are days in the business time zone; "due within N working days"
 * counts on the working-day calendar.
 */
import { z } from 'zod';
import { problems } from '../platform/problem';
import { CalendarMissingError, addWorkingDays, endOfDay, parseDay, startOfDay } from '../domain/calendar';
import { caseFacets, readSearchTerm, searchCases, type CaseFilters, type Cursor } from '../domain/cases';
import { filterCategoryCode } from './categories';
import { gridScope } from './case-access';
import { csvDocument } from './csv';
import type { ApiDeps } from './deps';
import { route, type Role, type RouteSpec } from './route';

/** Staff who work on cases; members of a 1+X group see their own tasks, not the case register. */
export const CASE_READERS: Role[] = [
  'reception',
  'cadre',
  'secretary',
  'street-office',
  'leader',
  'admin',
  'grid-worker',
];

/** The most rows one CSV carries (a year of a large community); narrower filters for more. */
const CSV_ROWS = 10_000;

const day = (what: string) =>
  z.string().refine(
    (v) => {
      try {
        parseDay(v);
        return true;
      } catch {
        return false;
      }
    },
    {
      message: `${what}应为日期，如 2026-03-01 / ${what === '起始日期' ? 'the start' : 'the end'} must be a date such as 2026-03-01`,
    },
  );

const flag = z.enum(['true', 'false']);

const Filters = z
  .object({
    q: z
      .string()
      .trim()
      .max(60, { message: '查询内容不超过 60 个字 / at most 60 characters to search for' })
      .optional(),
    category: z.string().trim().min(1).max(60).optional(),
    gridId: z.uuid({ message: '网格无效 / not a grid' }).optional(),
    caseClass: z.enum(['simple', 'complex', 'difficult']).optional(),
    status: z
      .enum([
        'registered',
        'handling',
        'feedback',
        'rating',
        'second-handling',
        'escalated',
        'closed',
        'not-accepted',
        'withdrawn',
      ])
      .optional(),
    firstResponderId: z.uuid({ message: '首问责任人无效 / not a user' }).optional(),
    receivedFrom: day('起始日期').optional(),
    receivedTo: day('截止日期').optional(),
    due: z.enum(['overdue', 'within']).optional(),
    dueWithinDays: z.coerce
      .number()
      .int()
      .min(0)
      .max(60, { message: '工作日数应在 0 到 60 之间 / the working days must be 0 to 60' })
      .optional(),
    keyMatter: flag.optional(),
    rating: z.enum(['satisfied', 'basically-satisfied', 'dissatisfied', 'unrated']).optional(),
    mine: flag.optional(),
    sort: z.enum(['received', 'received-asc', 'due', 'case-no']).default('received'),
  })
  .strict();

const Page = Filters.extend({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  after: z.string().max(400).optional(),
}).strict();

type FilterQuery = z.infer<typeof Filters>;

const badCursor = () =>
  problems.badRequest({
    zh: '翻页位置无效，请从第一页重新查询。',
    en: 'The page cursor is not valid: search again from the first page.',
  });

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const CursorShape = z.tuple([z.iso.datetime({ offset: true }).nullable(), z.string().min(1).max(40)]);

function decodeCursor(text: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const parsed = CursorShape.safeParse(value);
  if (!parsed.success) throw badCursor();
  return parsed.data;
}

/** The query's filters as the domain takes them: the term read, days made instants, N working days a deadline. */
async function filtersOf(deps: ApiDeps, query: FilterQuery, userId: string): Promise<CaseFilters> {
  if (query.due === 'within' && query.dueWithinDays === undefined)
    throw problems.badRequest({ zh: '请填写几个工作日内到期。', en: 'Say within how many working days.' });
  if (query.receivedFrom && query.receivedTo && query.receivedFrom > query.receivedTo)
    throw problems.badRequest({ zh: '起始日期不能晚于截止日期。', en: 'The start date is after the end date.' });
  const filters: CaseFilters = {
    category: query.category === undefined ? undefined : await filterCategoryCode(deps.db, query.category),
    gridId: query.gridId,
    caseClass: query.caseClass,
    status: query.status,
    firstResponderId: query.mine === 'true' ? userId : query.firstResponderId,
    receivedFrom: query.receivedFrom ? startOfDay(query.receivedFrom, deps.timeZone) : undefined,
    receivedBefore: query.receivedTo ? endOfDay(query.receivedTo, deps.timeZone) : undefined,
    overdue: query.due === 'overdue' || undefined,
    keyMatter: query.keyMatter === undefined ? undefined : query.keyMatter === 'true',
    rating: query.rating,
  };
  if (query.q) filters.term = readSearchTerm(query.q, deps.pii);
  if (query.due === 'within') filters.dueBefore = await dueBefore(deps, query.dueWithinDays!);
  return filters;
}

async function dueBefore(deps: ApiDeps, days: number): Promise<Date> {
  try {
    return await addWorkingDays(deps.db, deps.now(), days, deps.timeZone);
  } catch (error) {
    if (!(error instanceof CalendarMissingError)) throw error;
    throw problems.conflict({
      zh: `${error.year} 年的工作日历尚未录入，无法按工作日计算；请管理员在设置中添加。`,
      en: `The working-day calendar has no ${error.year}: an admin must add it in settings.`,
    });
  }
}

const CSV_HEADER = [
  '案件编号 case_no',
  '类别 category',
  '状态 status',
  '分类 class',
  '信访人 petitioner',
  '手机 phone',
  '网格 grid',
  '小区 compound',
  '受理时间 received_at',
  '内部时限 due_at',
  '已超期 overdue',
  '重点事项 key_matter',
  '首问责任人 first_responder',
  '最近评价 rating',
];

export const caseSearchRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/cases',
    tag: 'cases',
    summary:
      'The case centre: cases I reach, by case number, petitioner name or phone (exact) and filters; keyset pages (next)',
    access: CASE_READERS,
    query: Page,
    async handle({ deps, user, query }) {
      const { items, next } = await searchCases(deps.db, {
        filters: await filtersOf(deps, query, user.id),
        sort: query.sort,
        limit: query.limit,
        after: query.after ? decodeCursor(query.after) : undefined,
        reader: { id: user.id, grids: await gridScope(deps, user) },
        now: deps.now(),
      });
      return { items, next: next ? encodeCursor(next) : null };
    },
  }),
  route({
    method: 'get',
    path: '/cases/facets',
    tag: 'cases',
    summary: "The case centre's filter choices: the category dictionary, grids, staff who own cases",
    access: CASE_READERS,
    handle: ({ deps }) => caseFacets(deps.db),
  }),
  route({
    method: 'get',
    path: '/cases/export.csv',
    tag: 'cases',
    summary: `The case centre's filtered list as CSV (personal data masked; at most ${CSV_ROWS} rows)`,
    access: CASE_READERS,
    query: Filters,
    produces: 'text/csv',
    async handle({ deps, user, query, res }) {
      const { items } = await searchCases(deps.db, {
        filters: await filtersOf(deps, query, user.id),
        sort: query.sort,
        limit: CSV_ROWS,
        reader: { id: user.id, grids: await gridScope(deps, user) },
        now: deps.now(),
      });
      res.setHeader('Content-Disposition', 'attachment; filename="cases.csv"');
      return csvDocument(
        CSV_HEADER,
        items.map((c) => [
          c.caseNo,
          c.category,
          c.status,
          c.caseClass,
          c.petitioner,
          c.phone,
          c.grid,
          c.compound,
          c.receivedAt,
          c.slaDueAt,
          c.overdue,
          c.keyMatter,
          c.firstResponder,
          c.rating,
        ]),
      );
    },
  }),
];
