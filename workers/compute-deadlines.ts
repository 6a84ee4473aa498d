/**
 * compute-deadlines: every date a case is measured against, from decision `deadline-policy` (the numbers an admin
 * edits) and the working-day calendar, in the business time zone. Header `phase`:
 * - `acceptance`: from the receipt (`receivedAt`, else now), the legal date by which the petitioner hears whether it
 *   is accepted — `legalReplyDueAt` (legalReplyDays, 15 calendar days, Art 22–23), the case's `acceptance_due_at`;
 * - `accepted`: from the acceptance (now), the legal date of the handling opinion — `legalDueAt` (legalOpinionDays,
 *   60 calendar days, Art 34);
 * - `extension`: the leader granted an extension: `legalDueAt` moves by the days granted (`extensionGrantedDays`, at
 *   most the days asked for, `extensionRequestedDays`, and at most extensionMaxDays, 30), set as `extensionDays`; a
 *   second extension fails the job (the law allows one);
 * - `handling`: the internal clock of the current handling from now — `slaDueAt` (internalHours: exact hours, nights
 *   and holidays included, as reception is open 365 days; or internalWorkingDays: the end of the n-th working day)
 *   and `slaRedAt` (the end of the redAfterWorkingDays-th working day after the day `slaDueAt` falls on); and
 *   `returnDueAt`, the end of the returnWorkingDays-th working day (5, Art 23) within which the unit handling may
 *   object to the assignment.
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
import {
  handlingStarted,
  recordAcceptanceDue,
  recordCalendarWait as keepCalendarWait,
  recordLegalDeadline,
} from '../domain/cases';

const DECISION = DECISIONS.deadlinePolicy;
const HOUR_MS = 3_600_000;

/** The outputs of `deadline-policy` this worker reads. */
interface DeadlinePolicy {
  internalHours: number | null;
  internalWorkingDays: number | null;
  redAfterWorkingDays: number | null;
  legalReplyDays: number | null;
  legalOpinionDays: number | null;
  returnWorkingDays: number | null;
  extensionMaxDays: number | null;
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
    returnWorkingDays: number('returnWorkingDays'),
    extensionMaxDays: number('extensionMaxDays'),
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

async function replyDeadline(variables: Record<string, unknown>, deps: WorkerDeps): Promise<Record<string, unknown>> {
  const policy = await deadlinePolicy(deps, null);
  const receivedAt = acceptanceTime(variables, deps);
  const days = needed(policy.legalReplyDays, 'legalReplyDays', null);
  return {
    legalReplyDueAt: addCalendarDays(receivedAt, days, deps.timeZone).toISOString(),
    deadlineProvisional: false,
  };
}

async function opinionDeadline(deps: WorkerDeps): Promise<Record<string, unknown>> {
  const policy = await deadlinePolicy(deps, null);
  const days = needed(policy.legalOpinionDays, 'legalOpinionDays', null);
  return { legalDueAt: addCalendarDays(deps.now(), days, deps.timeZone).toISOString() };
}

/** The legal date moved by the days granted: whole calendar days, so the date stays the end of a day. */
async function extendedDeadline(
  variables: Record<string, unknown>,
  deps: WorkerDeps,
): Promise<Record<string, unknown>> {
  if (typeof variables.extensionDays === 'number') {
    throw Object.assign(new Error('The legal limit was extended once already; the law allows one extension (Art 34)'), {
      retryable: false,
    });
  }
  const legalDueAt = new Date(required(variables, 'legalDueAt', 'string'));
  const requested = required(variables, 'extensionRequestedDays', 'number');
  const granted = typeof variables.extensionGrantedDays === 'number' ? variables.extensionGrantedDays : requested;
  const policy = await deadlinePolicy(deps, null);
  const max = needed(policy.extensionMaxDays, 'extensionMaxDays', null);
  const days = Math.min(Math.floor(granted), Math.floor(requested), max);
  if (!(days >= 1) || Number.isNaN(legalDueAt.getTime())) {
    throw new Error(
      `An extension needs a legalDueAt and at least one day granted, but legalDueAt is ${JSON.stringify(variables.legalDueAt)} and the days ${JSON.stringify(granted)}`,
    );
  }
  return { legalDueAt: new Date(legalDueAt.getTime() + days * 24 * HOUR_MS).toISOString(), extensionDays: days };
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
  const returnDays = needed(policy.returnWorkingDays, 'returnWorkingDays', caseClass);
  const { due, red, returnBy } = await withCalendar(deps.db, (isWorkday) => {
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
    return {
      due: dueAt,
      red: endOfDay(nthWorkingDayAfter(dueDay, redAfter, isWorkday), timeZone),
      returnBy: endOfDay(nthWorkingDayAfter(localDay(now, timeZone), returnDays, isWorkday), timeZone),
    };
  });
  return {
    slaDueAt: due.toISOString(),
    slaRedAt: red.toISOString(),
    returnDueAt: returnBy.toISOString(),
    deadlineProvisional: false,
  };
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
      const result = await replyDeadline(variables, deps);
      const caseId = caseOf(variables);
      if (caseId) await recordAcceptanceDue(deps.db, caseId, result.legalReplyDueAt);
      return result;
    }
    case 'accepted': {
      const result = await opinionDeadline(deps);
      const caseId = caseOf(variables);
      if (caseId) await recordLegalDeadline(deps.db, caseId, result.legalDueAt);
      return result;
    }
    // The case row takes the moved date with the extension itself (record-procedure), in one transaction.
    case 'extension':
      return extendedDeadline(variables, deps);
    case 'handling': {
      const result = await handlingDeadlines(variables, deps);
      const caseId = caseOf(variables);
      if (caseId) {
        await handlingStarted(deps.db, caseId, {
          slaDueAt: result.slaDueAt,
          caseClass: variables.caseClass,
          isKeyMatter: typeof variables.isKeyMatter === 'boolean' ? variables.isKeyMatter : null,
          returnDueAt: result.returnDueAt,
        });
      }
      return result;
    }
    default:
      throw new Error(
        `compute-deadlines needs the task header "phase" as "acceptance", "accepted", "extension" or "handling", but it is ${JSON.stringify(headers.phase)}`,
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
