/**
 * The working-day calendar's data (工作日历): the State Council's holidays and adjusted workdays (调休) from the npm
 * package `chinese-days`, which knows the years up to the one published last (2026 today), and the years an admin adds
 * (each November) with `setAdminYear`, written to `work_calendar` and `work_calendar_year` for `calendar.ts` to read.
 *
 * We read `chinese-days/dist/chinese-days.json` (the JSON file its README documents) rather than calling
 * `getDayDetail`/`findWorkday`: those read dates through the process's local time zone and answer for the wrong day
 * when it is west of UTC (TZ=America/Los_Angeles gives 2026-10-07 as a workday). The JSON is plain data.
 */
import { readFileSync } from 'node:fs';
import type { Db, Queryable } from '../platform/db';
import { CalendarMissingError, parseDay, yearOf, type LocalDay } from './calendar';

/** A day a year's arrangement lists: a holiday, or a weekend day worked instead (调休上班). */
export interface CalendarDay {
  day: LocalDay;
  isWorkday: boolean;
  /** 国庆节, 调休上班（国庆节） … */
  name: string;
}

/** Where a stored year came from: the `chinese-days` package or an admin. */
export type CalendarSource = 'chinese-days' | 'admin';

// ---------------------------------------------------------------------------------------------------------------
// The data of `chinese-days`.

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let chineseDaysData: ChineseDaysData | undefined;
function chineseDays(): ChineseDaysData {
  if (!chineseDaysData) {
    const raw = JSON.parse(
      readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8'),
    ) as Partial<ChineseDaysData>;
    if (typeof raw.holidays !== 'object' || typeof raw.workdays !== 'object') {
      throw new Error(
        'chinese-days/dist/chinese-days.json has no "holidays" and "workdays": has the package changed its format?',
      );
    }
    chineseDaysData = raw as ChineseDaysData;
  }
  return chineseDaysData;
}

/** The years `chinese-days` has the State Council's arrangement for (every year has holidays). */
export function chineseDaysYears(): number[] {
  const years = new Set(Object.keys(chineseDays().holidays).map(yearOf));
  return [...years].sort((a, b) => a - b);
}

/** "National Day,国庆节,3" → 国庆节 */
function chineseName(entry: string): string {
  return entry.split(',')[1]?.trim() || entry;
}

/** A year's holidays and adjusted workdays from `chinese-days`; throws CalendarMissingError for a year it lacks. */
export function chineseDaysYear(year: number): CalendarDay[] {
  if (!chineseDaysYears().includes(year)) throw new CalendarMissingError(year);
  const { holidays, workdays } = chineseDays();
  const prefix = `${year}-`;
  const days: CalendarDay[] = [
    ...Object.entries(holidays)
      .filter(([day]) => day.startsWith(prefix))
      .map(([day, entry]) => ({ day, isWorkday: false, name: chineseName(entry) })),
    ...Object.entries(workdays)
      .filter(([day]) => day.startsWith(prefix))
      .map(([day, entry]) => ({ day, isWorkday: true, name: `调休上班（${chineseName(entry)}）` })),
  ];
  return days.sort((a, b) => a.day.localeCompare(b.day));
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the database: work_calendar (listed days) and work_calendar_year (which years are known).

async function writeYear(
  tx: Queryable,
  year: number,
  source: CalendarSource,
  days: CalendarDay[],
  complete: boolean,
): Promise<void> {
  await tx.query(
    `INSERT INTO work_calendar_year (year, source, complete, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (year) DO UPDATE SET source = EXCLUDED.source, complete = EXCLUDED.complete, updated_at = now()`,
    [year, source, complete],
  );
  await tx.query('DELETE FROM work_calendar WHERE day BETWEEN $1::date AND $2::date', [
    `${year}-01-01`,
    `${year}-12-31`,
  ]);
  if (days.length === 0) return;
  await tx.query(
    `INSERT INTO work_calendar (day, is_workday, name, source)
     SELECT d, w, n, $4 FROM unnest($1::date[], $2::boolean[], $3::text[]) AS t(d, w, n)`,
    [days.map((d) => d.day), days.map((d) => d.isWorkday), days.map((d) => d.name), source],
  );
}

/** Fills (or refills) one year from `chinese-days`, replacing what the table had for it. Returns the days stored. */
export async function loadCalendarYear(db: Db, year: number): Promise<number> {
  const days = chineseDaysYear(year);
  await db.transaction((tx) => writeYear(tx, year, 'chinese-days', days, true));
  return days.length;
}

/**
 * Fills every year `chinese-days` knows that the table does not have yet, marked complete; a year already there
 * (from an earlier start, or an admin's) is left alone. Safe to run from several processes at once. Returns the
 * years added.
 */
export async function ensureCalendar(db: Db): Promise<number[]> {
  const present = new Set(
    (await db.query<{ year: number }>('SELECT year FROM work_calendar_year')).map((r) => Number(r.year)),
  );
  const added: number[] = [];
  for (const year of chineseDaysYears()) {
    if (present.has(year)) continue;
    const days = chineseDaysYear(year);
    const claimed = await db.transaction(async (tx) => {
      // Whoever inserts the year row fills it; a concurrent start waits on the row, then finds it taken.
      const rows = await tx.query(
        `INSERT INTO work_calendar_year (year, source, complete) VALUES ($1, 'chinese-days', true) ON CONFLICT (year) DO NOTHING RETURNING year`,
        [year],
      );
      if (rows.length === 0) return false;
      await writeYear(tx, year, 'chinese-days', days, true);
      return true;
    });
    if (claimed) added.push(year);
  }
  return added;
}

/**
 * An admin's arrangement for a year (typically next year, published each November): its holidays and adjusted
 * workdays; every other day of the year follows the week. Replaces whatever the year had (also chinese-days data,
 * e.g. to correct it). `complete: false` stores a draft that deadlines do not use yet.
 */
export async function setAdminYear(
  db: Db,
  year: number,
  days: CalendarDay[],
  options: { complete?: boolean } = {},
): Promise<void> {
  if (!Number.isInteger(year) || year < 1990 || year > 2200) throw new Error(`Not a calendar year: ${year}`);
  const seen = new Set<string>();
  for (const d of days) {
    parseDay(d.day);
    if (yearOf(d.day) !== year) throw new Error(`${d.day} is not in ${year}`);
    if (seen.has(d.day)) throw new Error(`${d.day} is listed twice`);
    if (typeof d.isWorkday !== 'boolean') throw new Error(`${d.day}: isWorkday must be true or false`);
    if (typeof d.name !== 'string' || d.name.trim() === '')
      throw new Error(`${d.day}: a name is required (e.g. 国庆节, 调休上班)`);
    seen.add(d.day);
  }
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day)).map((d) => ({ ...d, name: d.name.trim() }));
  await db.transaction((tx) => writeYear(tx, year, 'admin', sorted, options.complete ?? true));
}

/** The years the calendar holds, where each came from, and how many holidays and adjusted workdays each has. */
export async function calendarYears(db: Queryable): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT y.year, y.source, y.complete, y.updated_at AS "updatedAt",
                count(c.day) FILTER (WHERE NOT c.is_workday AND extract(isodow FROM c.day) < 6)::int AS holidays,
                count(c.day) FILTER (WHERE c.is_workday AND extract(isodow FROM c.day) >= 6)::int AS "adjustedWorkdays"
         FROM work_calendar_year y LEFT JOIN work_calendar c ON c.day BETWEEN make_date(y.year, 1, 1) AND make_date(y.year, 12, 31)
         GROUP BY y.year ORDER BY y.year`,
  );
}

/** A year the calendar holds (its source, whether complete), if it holds it. */
export async function calendarYear(db: Queryable, year: number): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.query('SELECT year, source, complete FROM work_calendar_year WHERE year = $1', [year]);
  return row;
}

/** The special days of a year: holidays on weekdays and workdays on weekends, by day. */
export async function specialDays(db: Queryable, year: number): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, is_workday AS "isWorkday", name FROM work_calendar
         WHERE day BETWEEN make_date($1, 1, 1) AND make_date($1, 12, 31)
           AND (is_workday = (extract(isodow FROM day) >= 6)) ORDER BY day`,
    [year],
  );
}
