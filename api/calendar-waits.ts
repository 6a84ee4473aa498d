/**
 * Deadlines waiting for a calendar year (DOMAIN.md: never a silent wrong date). compute-deadlines fails a job whose
 * deadline needs a year the working-day calendar lacks into an engine incident at once, and writes it to
 * `deadline_calendar_wait`. Here admins see those cases with the reason, and when a year is added (PUT
 * /calendar/{year}, or the retry route after a passing engine failure) each of its jobs is retried through the SDK as
 * Camunda needs it: the job's retries are raised, then its incident is resolved; the worker then computes the date
 * and removes the row.
 */
import { problems } from '../platform/problem';
import type { Queryable } from '../platform/db';
import { calendarWaitList } from '../domain/cases';
import { earliestWaitOfCase, waitsOnCompleteYears } from '../domain/calendar-waits';
import { NOW, type ApiDeps } from './deps';
import { route, type RouteSpec } from './route';

/** What the case page's internal clock says while its deadline waits for a year. */
export interface CalendarWait {
  year: number;
  since: Date;
  reason: { zh: string; en: string };
}

const reason = (year: number) => ({
  zh: `${year}年的节假日安排尚未录入，期限无法计算：请管理员在“设置 · 工作日历”中添加 ${year} 年，添加后自动重新计算。`,
  en: `The working-day calendar has no ${year}, so the deadline cannot be computed: an admin must add ${year} under Settings · Calendar; it is recomputed then.`,
});

/** The year a case's deadline waits for, if any (the earliest wait: one year at a time is added). */
export async function calendarWaitOf(db: Queryable, caseId: string): Promise<CalendarWait | null> {
  const row = await earliestWaitOfCase(db, caseId);
  return row ? { year: Number(row.year), since: row.created_at, reason: reason(Number(row.year)) } : null;
}

export interface RetryOutcome {
  /** Jobs whose incident was resolved: they run again now. */
  retried: number;
  /** Jobs with no open incident (still being tried, or already done): nothing to do. */
  notInIncident: number;
}

/** Retries the deadline jobs that wait for `year` (or every year the calendar now holds completely). */
export async function retryCalendarWaits(deps: ApiDeps, year?: number): Promise<RetryOutcome> {
  const waits = await waitsOnCompleteYears(deps.db, year ?? null);
  const engine = deps.engine();
  const outcome: RetryOutcome = { retried: 0, notInIncident: 0 };
  for (const { job_key: jobKey } of waits) {
    const { items } = await engine.searchIncidents(
      { filter: { jobKey: jobKey as never, state: 'ACTIVE' }, page: { limit: 1 } },
      NOW,
    );
    const incidentKey = items?.[0]?.incidentKey;
    if (!incidentKey) {
      outcome.notInIncident++;
      continue;
    }
    // Camunda resolves a job's incident only once the job has retries again.
    await engine.updateJob({ jobKey, changeset: { retries: 1 } });
    await engine.resolveIncident({ incidentKey: String(incidentKey) });
    outcome.retried++;
  }
  if (waits.length > 0) deps.log.info({ year, ...outcome }, 'deadlines waiting for the calendar retried');
  return outcome;
}

/** After a year was saved: its waiting deadlines are retried; a failure to reach the engine does not undo the save. */
export async function retryAfterCalendarChange(deps: ApiDeps, year: number): Promise<RetryOutcome | null> {
  try {
    return await retryCalendarWaits(deps, year);
  } catch (error) {
    deps.log.warn({ err: error, year }, 'the year is saved; its waiting deadlines are retried from the settings page');
    return null;
  }
}

export const calendarWaitRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/calendar/waiting',
    tag: 'settings',
    summary: 'Cases whose deadline waits for a calendar year an admin must add, with the reason',
    access: ['admin'],
    async handle({ deps }) {
      const rows = await calendarWaitList(deps.db);
      return {
        items: rows.map((r) => ({
          case: r.case_id ? { id: r.case_id, caseNo: r.case_no } : null,
          year: Number(r.year),
          step: r.element_id,
          since: r.created_at,
          /** The year is in the calendar now: the retry did not reach the engine yet (retry from here). */
          yearAdded: r.complete === true,
          reason: reason(Number(r.year)),
        })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/calendar/waiting/retry',
    tag: 'settings',
    summary: 'Retry every waiting deadline whose year the calendar now holds (adding a year does it by itself)',
    access: ['admin'],
    async handle({ deps }) {
      try {
        return await retryCalendarWaits(deps);
      } catch (error) {
        deps.log.warn({ err: error }, 'waiting deadlines not retried: the engine did not answer');
        throw problems.unavailable({
          zh: '流程引擎暂时无法访问，请稍后重试。',
          en: 'The process engine cannot be reached now: please retry shortly.',
        });
      }
    },
  }),
];
