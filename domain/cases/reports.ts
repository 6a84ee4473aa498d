/**
 * What is counted of cases, in the database: the dashboard's and the annual report's figures for a period (closed
 * cases' rows and tallies, cases received, key persons' petitions, months and channels), and the windows the rules
 * count (a resident's petitions for the key-person rule, a place's complaints for an early warning). Instants are
 * ISO strings on the business clock; nothing here names a person.
 */
import type { Queryable } from '../../platform/db';
import { codeOrItemsOf } from '../categories';

/** A period as [from, to) instants. */
export interface Period {
  fromTs: string;
  toTs: string;
}

/** Which cases of a period count: of a grid and of a category when given. */
export interface CaseFilter {
  gridId: string | null;
  category: string | null;
}

/**
 * One row per case closed in the period ($1, $2; the case's closing instant on the business clock, not the event row's
 * database time), of a grid ($3) and category ($4, a dictionary code; a main class takes in its items) when given, less the cases that
 * accuse the reader ($5) when given: what the CSV lists and the figures count.
 */
const CLOSED_ROWS = `
  SELECT c.case_no, COALESCE(cc.name_zh, c.category) AS category, c.category_code, g.name AS grid, c.case_class, c.handling_round, c.received_at, c.closed_at,
         (e.detail->>'handlingWorkingDays')::int AS working_days, (e.detail->>'onTimeInternal')::boolean AS on_time_internal,
         (e.detail->>'onTimeLegal')::boolean AS on_time_legal, e.detail->>'reason' AS reason,
         (SELECT r.rating FROM case_rating r WHERE r.case_id = c.id ORDER BY r.round DESC LIMIT 1) AS final_rating
  FROM case_event e JOIN petition_case c ON c.id = e.case_id LEFT JOIN case_category cc ON cc.code = c.category_code
  LEFT JOIN compound comp ON comp.id = c.compound_id LEFT JOIN grid g ON g.id = comp.grid_id
  WHERE e.kind = 'closed' AND c.closed_at >= $1 AND c.closed_at < $2
    AND ($3::uuid IS NULL OR comp.grid_id = $3) AND ($4::text IS NULL OR c.category_code = $4 OR c.category_code LIKE $4 || '.%')
    AND ($5::uuid IS NULL OR c.accused_user_id IS DISTINCT FROM $5)`;

/** A closed case as the CSV lists it (no personal data). */
export interface ClosedCaseRow {
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
}

/** The period's closed cases, in the order they closed; less those accusing the reader when `readerId` is given. */
export async function closedCaseRows(
  db: Queryable,
  p: Period,
  f: CaseFilter,
  readerId: string | null = null,
): Promise<ClosedCaseRow[]> {
  return db.query<ClosedCaseRow>(`${CLOSED_ROWS} ORDER BY c.closed_at`, [
    p.fromTs,
    p.toTs,
    f.gridId,
    f.category,
    readerId,
  ]);
}

/** What the figures count, per group of closed cases. */
export interface Tally {
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
 * `basicCounts`: a basically satisfied rating counts as a good one.
 */
export async function closedCaseTallies(db: Queryable, p: Period, f: CaseFilter, basicCounts: boolean) {
  return db.query<Tally & { set: 'all' | 'grid' | 'category' | 'class'; name: string | null }>(
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
    [p.fromTs, p.toTs, f.gridId, f.category, null, basicCounts],
  );
}

/** The cases received in the period (linked repeats not counted again). */
export async function receivedCount(db: Queryable, p: Period, f: CaseFilter): Promise<number> {
  const [{ received }] = await db.query<{ received: number }>(
    `SELECT count(*)::int AS received FROM petition_case c LEFT JOIN compound comp ON comp.id = c.compound_id
     WHERE c.received_at >= $1 AND c.received_at < $2 AND c.duplicate_of IS NULL
       AND ($3::uuid IS NULL OR comp.grid_id = $3) AND ($4::text IS NULL OR c.category_code = $4 OR c.category_code LIKE $4 || '.%')`,
    [p.fromTs, p.toTs, f.gridId, f.category],
  );
  return received;
}

/** The petitions of people in the key-person registry in the period (`now`) and in [beforeTs, period's start). */
export async function keyPersonPetitionCounts(
  db: Queryable,
  p: Period,
  beforeTs: string,
): Promise<{ now: number; before: number }> {
  const [repeats] = await db.query<{ now: number; before: number }>(
    `SELECT count(*) FILTER (WHERE c.received_at >= $1 AND c.received_at < $2)::int AS now,
            count(*) FILTER (WHERE c.received_at >= $3 AND c.received_at < $1)::int AS before
     FROM petition_case c WHERE c.resident_id IN (SELECT resident_id FROM key_person)`,
    [p.fromTs, p.toTs, beforeTs],
  );
  return repeats;
}

/** The period's cases by month of receipt in `timeZone`: received, closed, from the 12345 hotline, linked repeats. */
export async function monthlyFigures(
  db: Queryable,
  p: Period,
  timeZone: string,
): Promise<Array<{ month: string; received: number; closed: number; hotline: number; repeats: number }>> {
  return db.query(
    `SELECT to_char(c.received_at AT TIME ZONE $3, 'YYYY-MM') AS month, count(*)::int AS received,
                count(*) FILTER (WHERE c.status = 'closed')::int AS closed, count(*) FILTER (WHERE c.channel = 'hotline-12345')::int AS hotline,
                count(*) FILTER (WHERE c.duplicate_of IS NOT NULL)::int AS repeats
         FROM petition_case c WHERE c.received_at >= $1 AND c.received_at < $2 GROUP BY 1 ORDER BY 1`,
    [p.fromTs, p.toTs, timeZone],
  );
}

/** The period's cases received per channel. */
export async function channelFigures(db: Queryable, p: Period): Promise<Array<{ channel: string; received: number }>> {
  return db.query(
    `SELECT channel, count(*)::int AS received FROM petition_case WHERE received_at >= $1 AND received_at < $2 GROUP BY channel ORDER BY channel`,
    [p.fromTs, p.toTs],
  );
}

/**
 * The resident's petitions in the `windowDays` up to the case's receipt (the case included), compared in SQL against
 * the case's own received_at (microseconds do not survive a JS Date): what the key-person rule counts.
 */
export async function petitionsInWindow(
  tx: Queryable,
  residentId: string,
  caseId: string,
  windowDays: number,
): Promise<number> {
  const [{ count }] = await tx.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM petition_case c, petition_case me
       WHERE me.id = $2 AND c.resident_id = $1
         AND c.received_at > me.received_at - make_interval(days => $3::int) AND c.received_at <= me.received_at`,
    [residentId, caseId, windowDays],
  );
  return count;
}

/**
 * The cases of a place (a compound, or a grid for `scope` 'grid') and category received in the `windowDays` up to the
 * case's receipt (the case included), oldest first, compared in SQL against its own received_at: what an
 * early-warning rule counts.
 */
export async function casesInWarningWindow(
  tx: Queryable,
  w: { scope: 'compound' | 'grid'; placeId: string; category: string; caseId: string; windowDays: number },
): Promise<Array<{ id: string }>> {
  const placeColumn = w.scope === 'compound' ? 'c.compound_id' : 'comp.grid_id';
  return tx.query<{ id: string }>(
    `SELECT c.id FROM petition_case c LEFT JOIN compound comp ON comp.id = c.compound_id, petition_case me
       WHERE me.id = $3 AND ${placeColumn} = $1 AND ${codeOrItemsOf('c.category_code', '$2')}
         AND c.received_at > me.received_at - make_interval(days => $4::int) AND c.received_at <= me.received_at
       ORDER BY c.received_at`,
    [w.placeId, w.category, w.caseId, w.windowDays],
  );
}
