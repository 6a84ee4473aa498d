/**
 * compute-deadlines: every date a case is measured against, from decision `deadline-policy` (the numbers an admin
 * edits) and the working-day calendar, in the business time zone. Header `phase`:
 * - `acceptance`: the legal clocks of 信访工作条例 from the acceptance time (`receivedAt`, else now) —
 *   `legalReplyDueAt` (legalReplyDays, 15 calendar days, Art 22–23) and `legalDueAt` (legalOpinionDays, 60, Art 34);
 * - `handling`: the internal clock of the current handling from now — `slaDueAt` (internalHours: exact hours, nights
 *   and holidays included, as reception is open 365 days; or internalWorkingDays: the end of the n-th working day)
 *   and `slaRedAt` (the end of the redAfterWorkingDays-th working day after the day `slaDueAt` falls on).
 * Day-counted deadlines end at 24:00 local time and do not count the start day (see `calendar.ts`); the legal days
 * are not moved off a holiday (民法典 Art 203 would allow it): the earlier date is the safe one. A date in a year the
 * calendar lacks throws `CalendarMissingError`, which fails the job without retries (none can help until an admin
 * adds the year) into an incident naming the year to add. The job is also written to `deadline_calendar_wait`, which
 * admins see with the case, and from which adding the year retries it (api/settings.ts); it leaves the table when the
 * job succeeds.
 */
import { required, type JobInput, type JobWorker, type WorkerDeps } from './job';
import {
  CalendarMissingError,
  addCalendarDays,
  endOfDay,
  localDay,
  nthWorkingDayAfter,
  withCalendar,
} from '../domain/calendar';
import { DECISIONS, JOB_TYPES } from '../bpmn/job-types';
import { endCalendarWait } from '../domain/calendar-waits';
import { handlingStarted, recordCalendarWait as keepCalendarWait, recordLegalDeadline } from '../domain/cases';

const DECISION = DECISIONS.deadlinePolicy;
const HOUR_MS = 3_600_000;

/** The outputs of `deadline-policy` this worker reads. */
interface DeadlinePolicy {
  internalHours: number | null;
  internalWorkingDays: number | null;
  redAfterWorkingDays: number | null;
  legalReplyDays: number | null;
  legalOpinionDays: number | null;
}

async function deadlinePolicy(deps: WorkerDeps, caseClass: string | null): Promise<DeadlinePolicy> {
  const output: unknown = await deps.decide(DECISION, { caseClass });
  if (typeof output !== 'object' || output === null || Array.isArray(output)) {
    throw new Error(`Decision '${DECISION}' gave no result for caseClass ${JSON.stringify(caseClass)}`);
  }
  const record = output as Record<string, unknown>;
  const number = (name: keyof DeadlinePolicy): number | null => {
    const value = record[name];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `Decision '${DECISION}' output "${name}" must be a number ≥ 0, but it is ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  return {
    internalHours: number('internalHours'),
    internalWorkingDays: number('internalWorkingDays'),
    redAfterWorkingDays: number('redAfterWorkingDays'),
    legalReplyDays: number('legalReplyDays'),
    legalOpinionDays: number('legalOpinionDays'),
  };
}

function needed(value: number | null, name: string, caseClass: string | null): number {
  if (value === null)
    throw new Error(`Decision '${DECISION}' gives no "${name}" for caseClass ${JSON.stringify(caseClass)}`);
  return value;
}

function acceptanceTime(variables: Record<string, unknown>, deps: WorkerDeps): Date {
  const value = variables.receivedAt;
  if (value === undefined || value === null) return deps.now();
  const time = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(time.getTime()))
    throw new Error(`The process variable "receivedAt" must be an ISO date-time, but it is ${JSON.stringify(value)}`);
  return time;
}

async function legalDeadlines(variables: Record<string, unknown>, deps: WorkerDeps): Promise<Record<string, unknown>> {
  const policy = await deadlinePolicy(deps, null);
  const acceptedAt = acceptanceTime(variables, deps);
  return {
    legalReplyDueAt: addCalendarDays(
      acceptedAt,
      needed(policy.legalReplyDays, 'legalReplyDays', null),
      deps.timeZone,
    ).toISOString(),
    legalDueAt: addCalendarDays(
      acceptedAt,
      needed(policy.legalOpinionDays, 'legalOpinionDays', null),
      deps.timeZone,
    ).toISOString(),
    deadlineProvisional: false,
  };
}

async function handlingDeadlines(
  variables: Record<string, unknown>,
  deps: WorkerDeps,
): Promise<Record<string, unknown>> {
  const caseClass = required(variables, 'caseClass', 'string');
  const policy = await deadlinePolicy(deps, caseClass);
  const redAfter = needed(policy.redAfterWorkingDays, 'redAfterWorkingDays', caseClass);
  if ((policy.internalHours === null) === (policy.internalWorkingDays === null)) {
    throw new Error(
      `Decision '${DECISION}' must give exactly one of "internalHours" and "internalWorkingDays" for caseClass "${caseClass}"`,
    );
  }
  const now = deps.now();
  const { timeZone } = deps;
  const { due, red } = await withCalendar(deps.db, (isWorkday) => {
    let dueAt: Date;
    let dueDay: string;
    if (policy.internalHours !== null) {
      dueAt = new Date(now.getTime() + policy.internalHours * HOUR_MS);
      dueDay = localDay(dueAt, timeZone);
    } else {
      dueDay = nthWorkingDayAfter(
        localDay(now, timeZone),
        needed(policy.internalWorkingDays, 'internalWorkingDays', caseClass),
        isWorkday,
      );
      dueAt = endOfDay(dueDay, timeZone);
    }
    return { due: dueAt, red: endOfDay(nthWorkingDayAfter(dueDay, redAfter, isWorkday), timeZone) };
  });
  return { slaDueAt: due.toISOString(), slaRedAt: red.toISOString(), deadlineProvisional: false };
}

export const computeDeadlines: JobWorker = {
  type: JOB_TYPES.computeDeadlines,
  async handle(job, deps) {
    let result: Record<string, unknown>;
    try {
      result = await compute(job, deps);
    } catch (error) {
      if (error instanceof CalendarMissingError) await recordCalendarWait(job, deps, error.year);
      throw error;
    }
    await endCalendarWait(deps.db, job.jobKey);
    return result;
  },
};

async function compute({ variables, headers }: JobInput, deps: WorkerDeps): Promise<Record<string, unknown>> {
  switch (headers.phase) {
    case 'acceptance': {
      const result = await legalDeadlines(variables, deps);
      const caseId = caseOf(variables);
      if (caseId) await recordLegalDeadline(deps.db, caseId, result.legalDueAt);
      return result;
    }
    case 'handling': {
      const result = await handlingDeadlines(variables, deps);
      const caseId = caseOf(variables);
      if (caseId) {
        await handlingStarted(deps.db, caseId, {
          slaDueAt: result.slaDueAt,
          caseClass: variables.caseClass,
          isKeyMatter: typeof variables.isKeyMatter === 'boolean' ? variables.isKeyMatter : null,
        });
      }
      return result;
    }
    default:
      throw new Error(
        `compute-deadlines needs the task header "phase" as "acceptance" or "handling", but it is ${JSON.stringify(headers.phase)}`,
      );
  }
}

/** The job waits for an admin to add `year`: kept where the app shows it and where adding the year finds it. */
async function recordCalendarWait(job: JobInput, deps: WorkerDeps, year: number): Promise<void> {
  const caseId =
    typeof job.variables.caseId === 'string' && UUID.test(job.variables.caseId) ? job.variables.caseId : null;
  await keepCalendarWait(deps.db, {
    jobKey: job.jobKey,
    caseId,
    processInstanceKey: job.processInstanceKey,
    elementId: job.elementId,
    year,
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case the job's process is about (the case row mirrors what the process decided: class, deadlines). */
function caseOf(variables: Record<string, unknown>): string | undefined {
  const caseId = variables.caseId;
  return typeof caseId === 'string' && UUID.test(caseId) ? caseId : undefined;
}
