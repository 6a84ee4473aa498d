/**
 * Deadlines waiting for a calendar year, as they name their case: a deadline job that needs a year the working-day
 * calendar lacks is kept (with its case, when the case exists), and admins list them with the case's number.
 */
import type { Queryable } from '../../platform/db';

/**
 * The job waits for `year`: kept (once per job; a later wait of the same job names its year) with its case, or with
 * none when `caseId` names no case.
 */
export async function recordCalendarWait(
  db: Queryable,
  w: { jobKey: string; caseId: string | null; processInstanceKey: string; elementId: string; year: number },
): Promise<void> {
  await db.query(
    `INSERT INTO deadline_calendar_wait (job_key, case_id, process_instance_key, element_id, year)
     SELECT $1, (SELECT id FROM petition_case WHERE id = $2::uuid), $3, $4, $5
     ON CONFLICT (job_key) DO UPDATE SET year = EXCLUDED.year`,
    [w.jobKey, w.caseId, w.processInstanceKey, w.elementId, w.year],
  );
}

/** A waiting deadline with its case's number and whether its year is complete in the calendar now. */
export interface CalendarWaitRow {
  case_id: string | null;
  case_no: string | null;
  year: number;
  element_id: string;
  created_at: Date;
  complete: boolean | null;
}

/** The deadlines waiting for a year, the earliest year first (500 at most). */
export async function calendarWaitList(db: Queryable): Promise<CalendarWaitRow[]> {
  return db.query<CalendarWaitRow>(
    `SELECT w.case_id, c.case_no, w.year, w.element_id, w.created_at, y.complete
         FROM deadline_calendar_wait w LEFT JOIN petition_case c ON c.id = w.case_id LEFT JOIN work_calendar_year y ON y.year = w.year
         ORDER BY w.year, w.created_at LIMIT 500`,
  );
}
