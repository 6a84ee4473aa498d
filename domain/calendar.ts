/**
 * The working-day calendar (工作日历): which days are working days, and deadline arithmetic over them in the business
 * time zone (Asia/Shanghai).
 *
 * Data: the State Council's holidays and adjusted workdays (调休), and an admin's later years, as `calendar-data.ts`
 * stores them in `work_calendar` and `work_calendar_year`; this module reads them. A day the calendar does not list
 * follows the week (Mon–Fri work, Sat–Sun rest). A date in a year that is not in `work_calendar_year` as complete
 * throws `CalendarMissingError` — never a silently wrong deadline.
 *
 * Deadline rule: a deadline of n days (working or calendar) ends at 24:00 local time of the n-th day after the start
 * day, not counting the start day (as `findWorkday` and 民法典 Art 201/203 count periods). 24:00 is returned as the
 * instant of the next local midnight, so `now <= deadline` holds all through the last day.
 */
import type { Queryable } from '../platform/db';

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDay = string;
/** Whether a local day is a working day; throws `CalendarMissingError` for a day the calendar does not know. */
export type IsWorkday = (day: LocalDay) => boolean;

/** A deadline falls in a year the calendar has no (complete) data for: an admin must add that year. */
export class CalendarMissingError extends Error {
  /** No retry of the job can succeed until an admin adds the year: the job goes to an incident at once. */
  readonly retryable = false;
  constructor(readonly year: number) {
    super(
      `${year}年的节假日安排尚未录入：请管理员在设置中添加 ${year} 年日历 / ` +
        `the working-day calendar has no data for ${year}: an admin must add it`,
    );
    this.name = 'CalendarMissingError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pure arithmetic: local days, time zones, counting over an IsWorkday lookup. No I/O.

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC midnight (ms) a local day stands for; throws for anything but an existing `YYYY-MM-DD` date. */
export function parseDay(day: LocalDay): number {
  const match = DAY_PATTERN.exec(day);
  if (match) {
    const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
    const time = Date.UTC(year, month, date);
    // Date.UTC rolls 02-30 over into March: a day that does not exist comes back as another one.
    const back = new Date(time);
    if (back.getUTCFullYear() === year && back.getUTCMonth() === month && back.getUTCDate() === date) return time;
  }
  throw new Error(`Not a date (YYYY-MM-DD): "${day}"`);
}

/** The day (YYYY-MM-DD) a UTC midnight in ms stands for. */
function formatDay(time: number): LocalDay {
  return new Date(time).toISOString().slice(0, 10);
}

export function yearOf(day: LocalDay): number {
  return Number(day.slice(0, 4));
}

/** The day n days after `day` (n may be negative). */
export function plusDays(day: LocalDay, n: number): LocalDay {
  return formatDay(parseDay(day) + n * DAY_MS);
}

/** The week's default: Monday to Friday are working days. */
export function isWeekday(day: LocalDay): boolean {
  const weekday = new Date(parseDay(day)).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `instant` to the second, read as if it were UTC (ms), as Intl formats it. */
function formattedWall(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/**
 * Offsets from UTC by time zone and quarter of an hour (the wall clock minus the instant), NaN for a quarter in which
 * the offset changes. Formatting with Intl is the slow part of the calendar's arithmetic (a list of cases with their
 * working days left asked it four times per case); offsets change rarely, and only ever at whole quarters of an hour.
 */
const OFFSET_SPAN_MS = 15 * 60_000;
const offsets = new Map<string, number>();

function offsetAt(instant: number, timeZone: string): number {
  const span = Math.floor(instant / OFFSET_SPAN_MS);
  const key = `${timeZone} ${span}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const first = span * OFFSET_SPAN_MS;
    const last = first + OFFSET_SPAN_MS - 1000;
    const atFirst = formattedWall(first, timeZone) - first;
    offset = formattedWall(last, timeZone) - last === atFirst ? atFirst : NaN;
    if (offsets.size >= 10_000) offsets.clear();
    offsets.set(key, offset);
  }
  return Number.isNaN(offset) ? formattedWall(instant, timeZone) - Math.floor(instant / 1000) * 1000 : offset;
}

/** The wall clock in `timeZone` at `instant`, read as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  return instant + offsetAt(instant, timeZone);
}

/** The local date of an instant in `timeZone`. */
export function localDay(instant: Date, timeZone: string): LocalDay {
  if (Number.isNaN(instant.getTime())) throw new Error('Not a valid instant');
  return new Date(wallClock(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The instant of local midnight at the start of `day` in `timeZone` (DST-safe; Asia/Shanghai has none). */
export function startOfDay(day: LocalDay, timeZone: string): Date {
  const wall = parseDay(day);
  let instant = wall - (wallClock(wall, timeZone) - wall);
  // A second pass corrects the offset when the first guess crossed an offset change.
  instant = wall - (wallClock(instant, timeZone) - instant);
  return new Date(instant);
}

/** 24:00 local time of `day`: the instant the next day starts. */
export function endOfDay(day: LocalDay, timeZone: string): Date {
  return startOfDay(plusDays(day, 1), timeZone);
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`A number of days must be a whole number ≥ 0 (got ${n})`);
}

/** The n-th working day after `day`, not counting `day` itself (n = 0: `day`). */
export function nthWorkingDayAfter(day: LocalDay, n: number, isWorkday: IsWorkday): LocalDay {
  checkCount(n);
  let time = parseDay(day);
  let current = day;
  let restDays = 0;
  for (let found = 0; found < n;) {
    time += DAY_MS;
    current = formatDay(time);
    if (isWorkday(current)) {
      found++;
      restDays = 0;
    } else if (++restDays > 366) {
      throw new Error(`The working-day calendar has no working day in the year after ${day}`);
    }
  }
  return current;
}

/** Working days d with `after` < d ≤ `through` (0 when `through` is not after `after`). */
export function countWorkingDays(after: LocalDay, through: LocalDay, isWorkday: IsWorkday): number {
  let count = 0;
  const last = parseDay(through);
  for (let time = parseDay(after) + DAY_MS; time <= last; time += DAY_MS) if (isWorkday(formatDay(time))) count++;
  return count;
}

/** The end (24:00 local) of the n-th working day after the local day of `from`. */
export function workingDeadline(from: Date, n: number, timeZone: string, isWorkday: IsWorkday): Date {
  return endOfDay(nthWorkingDayAfter(localDay(from, timeZone), n, isWorkday), timeZone);
}

/** The end (24:00 local) of the n-th calendar day after the local day of `from`. No calendar needed. */
export function addCalendarDays(from: Date, n: number, timeZone: string): Date {
  checkCount(n);
  return endOfDay(plusDays(localDay(from, timeZone), n), timeZone);
}

/**
 * The local day an end instant belongs to: exactly 00:00 local is 24:00 of the day before (the instant every
 * deadline is), anything later is its own day.
 */
export function endDay(instant: Date, timeZone: string): LocalDay {
  const day = localDay(instant, timeZone);
  return startOfDay(day, timeZone).getTime() === instant.getTime() ? plusDays(day, -1) : day;
}

/** Working days after `from`'s local day up to and including `to`'s (an end at 00:00 counts as 24:00 the day before). */
export function countWorkingDaysBetween(from: Date, to: Date, timeZone: string, isWorkday: IsWorkday): number {
  return countWorkingDays(localDay(from, timeZone), endDay(to, timeZone), isWorkday);
}

/** One year of calendar data: its listed days; any other day of the year follows the week. */
export interface CalendarYear {
  year: number;
  days: ReadonlyMap<LocalDay, boolean>;
}

/** Thrown by a lookup over loaded years when a day's year is not loaded yet (`withCalendar` loads it and retries). */
export class YearNotLoaded extends Error {
  constructor(readonly year: number) {
    super(`Calendar year ${year} is not loaded`);
    this.name = 'YearNotLoaded';
  }
}

/**
 * A lookup over loaded years. A year mapped to `null` is known to be missing (CalendarMissingError); a year not in
 * the map is not loaded yet (YearNotLoaded).
 */
export function lookupFromYears(years: ReadonlyMap<number, CalendarYear | null>): IsWorkday {
  return (day) => {
    const year = yearOf(day);
    const data = years.get(year);
    if (data === undefined) throw new YearNotLoaded(year);
    if (data === null) throw new CalendarMissingError(year);
    return data.days.get(day) ?? isWeekday(day);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the database: work_calendar (listed days) and work_calendar_year (which years are known).

/** Reads one year; `null` when it is absent or not complete. */
async function readYear(db: Queryable, year: number): Promise<CalendarYear | null> {
  const rows = await db.query<{ day: string; is_workday: boolean; complete: boolean | null }>(
    `SELECT to_char(c.day, 'YYYY-MM-DD') AS day, c.is_workday, y.complete
     FROM work_calendar_year y LEFT JOIN work_calendar c ON c.day BETWEEN make_date(y.year, 1, 1) AND make_date(y.year, 12, 31)
     WHERE y.year = $1`,
    [year],
  );
  if (rows.length === 0 || rows[0].complete !== true) return null;
  return { year, days: new Map(rows.filter((r) => r.day !== null).map((r) => [r.day, r.is_workday])) };
}

/**
 * Runs a computation over the stored calendar. Each year it touches is read once, on first use, for this call only:
 * an admin's change is seen by the next call, in this process or any other (the workers may run on their own).
 */
export async function withCalendar<T>(db: Queryable, compute: (isWorkday: IsWorkday) => T): Promise<T> {
  const years = new Map<number, CalendarYear | null>();
  const isWorkday = lookupFromYears(years);
  for (;;) {
    try {
      return compute(isWorkday);
    } catch (error) {
      if (!(error instanceof YearNotLoaded) || years.has(error.year)) throw error;
      years.set(error.year, await readYear(db, error.year));
    }
  }
}

/** The end (24:00 local) of the n-th working day after `from`'s local day. */
export function addWorkingDays(db: Queryable, from: Date, n: number, timeZone: string): Promise<Date> {
  return withCalendar(db, (isWorkday) => workingDeadline(from, n, timeZone, isWorkday));
}

/** Working days after `from`'s local day up to and including `to`'s (e.g. a case's handling time). */
export function workingDaysBetween(db: Queryable, from: Date, to: Date, timeZone: string): Promise<number> {
  return withCalendar(db, (isWorkday) => countWorkingDaysBetween(from, to, timeZone, isWorkday));
}
