/**
 * Deadline jobs waiting for a calendar year (deadline_calendar_wait), less what names their case (that is
 * domain/cases/calendar-waits.ts): the year a case's deadline waits for, the waits a year now complete ends, and a
 * job's wait ended when it computed its deadlines.
 */
import type { Queryable } from '../platform/db';

/** The earliest wait of the case's deadlines (its year and since when), if any. */
export async function earliestWaitOfCase(
  db: Queryable,
  caseId: string,
): Promise<{ year: number; created_at: Date } | undefined> {
  const [row] = await db.query<{ year: number; created_at: Date }>(
    'SELECT year, created_at FROM deadline_calendar_wait WHERE case_id = $1 ORDER BY year, created_at LIMIT 1',
    [caseId],
  );
  return row;
}

/** The jobs waiting for `year` (null: for any year) that the calendar now holds completely, oldest first. */
export async function waitsOnCompleteYears(db: Queryable, year: number | null): Promise<Array<{ job_key: string }>> {
  return db.query<{ job_key: string }>(
    `SELECT w.job_key FROM deadline_calendar_wait w JOIN work_calendar_year y ON y.year = w.year AND y.complete
     WHERE $1::int IS NULL OR w.year = $1 ORDER BY w.created_at`,
    [year],
  );
}

/** The job no longer waits for a calendar year (it computed its deadlines). */
export async function endCalendarWait(db: Queryable, jobKey: string): Promise<void> {
  await db.query('DELETE FROM deadline_calendar_wait WHERE job_key = $1', [jobKey]);
}
