/**
 * record-procedure: a step of the law's procedures (信访工作条例) on the case row and its timeline, as the task's
 * `procedure` header says (bpmn/job-types.ts PROCEDURES):
 * - `acceptance` (Art 22–23): the first responder's `acceptanceDecision` — accepted (the 60 days run from now), or
 *   not accepted with `acceptanceReason`, or passed on to `passedOnTo`: the case ends with its reason recorded;
 * - `returned` (Art 23): the unit handling objected with `returnReasons` (by `returnedBy`); the case waits for the
 *   first responder to route it again;
 * - `extension-requested`, `extension-granted`, `extension-refused` (Art 34): the request (`extensionRequestedDays`,
 *   `extensionReasons`, by `extensionRequestedBy`), and the leader's decision — granted moves the case's legal date to
 *   the `legalDueAt` compute-deadlines set, by `extensionDays`, once;
 * - `withdrawn`: the petitioner withdrew (`withdrawalReason`, entered by `withdrawnBy`).
 * Each writes its timeline entry once per job (a retried job writes nothing more).
 */
import { JOB_TYPES, PROCEDURES, type Procedure } from '../bpmn/job-types';
import { acceptanceDecided, caseReturned, caseWithdrawn, extensionGranted, recordEvent } from '../domain/cases';
import type { Queryable } from '../platform/db';
import { required, type JobInput, type JobWorker, type WorkerDeps } from './job';

const DECISIONS = ['accepted', 'not-accepted', 'passed-on'] as const;
type Decision = (typeof DECISIONS)[number];

/** A free text the form gave, trimmed and cut to a length the timeline keeps; null when empty. */
function text(value: unknown, max = 2000): string | null {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;
}
/** A username the API passed as who did it (the timeline's actor). */
function actor(value: unknown): string {
  return typeof value === 'string' && /^[\w.@-]{1,64}$/.test(value) ? value : 'system';
}
const fail = (message: string) => Object.assign(new Error(message), { retryable: false });

interface Step {
  caseId: string;
  variables: Record<string, unknown>;
  jobKey: string;
  at: Date;
}

async function acceptance(tx: Queryable, s: Step): Promise<Record<string, unknown>> {
  const decision = s.variables.acceptanceDecision;
  if (!DECISIONS.includes(decision as Decision)) {
    throw fail(`The acceptance decision must be one of ${DECISIONS.join(', ')}, but it is ${JSON.stringify(decision)}`);
  }
  const reason = text(s.variables.acceptanceReason, 500);
  const authority = text(s.variables.passedOnTo, 200);
  if (decision === 'not-accepted' && !reason) throw fail('A petition not accepted needs its reason (acceptanceReason)');
  if (decision === 'passed-on' && !authority) throw fail('A petition passed on needs the authority (passedOnTo)');
  await acceptanceDecided(tx, s.caseId, decision as Decision, s.at.toISOString());
  const detail = decision === 'accepted' ? {} : decision === 'not-accepted' ? { reason } : { authority, reason };
  await recordEvent(tx, s.caseId, decision as Decision, detail, s.jobKey, s.at, actor(s.variables.firstResponder));
  return { acceptedAt: decision === 'accepted' ? s.at.toISOString() : null };
}

async function record(tx: Queryable, procedure: Procedure, s: Step): Promise<Record<string, unknown>> {
  const v = s.variables;
  switch (procedure) {
    case PROCEDURES.acceptance:
      return acceptance(tx, s);
    case PROCEDURES.returned: {
      const reasons = text(v.returnReasons) ?? '';
      await caseReturned(tx, s.caseId);
      const detail = { reasons, caseClass: typeof v.caseClass === 'string' ? v.caseClass : null };
      await recordEvent(tx, s.caseId, PROCEDURES.returned, detail, s.jobKey, s.at, actor(v.returnedBy));
      return {};
    }
    case PROCEDURES.extensionRequested: {
      const detail = { days: v.extensionRequestedDays, reasons: text(v.extensionReasons) };
      await recordEvent(tx, s.caseId, procedure, detail, s.jobKey, s.at, actor(v.extensionRequestedBy));
      return {};
    }
    case PROCEDURES.extensionGranted: {
      const days = required(v, 'extensionDays', 'number');
      const legalDueAt = required(v, 'legalDueAt', 'string');
      const reason = text(v.extensionReasons);
      const first = await extensionGranted(tx, s.caseId, { days, reason, legalDueAt, at: s.at.toISOString() });
      if (!first) throw fail('The legal limit was extended once already; the law allows one extension (Art 34)');
      const detail = { days, reasons: reason, legalDueAt, note: text(v.extensionDecisionNote) };
      await recordEvent(tx, s.caseId, procedure, detail, s.jobKey, s.at);
      return {};
    }
    case PROCEDURES.extensionRefused: {
      const detail = { days: v.extensionRequestedDays, note: text(v.extensionDecisionNote) };
      await recordEvent(tx, s.caseId, procedure, detail, s.jobKey, s.at);
      return {};
    }
    case PROCEDURES.withdrawn: {
      const reason = text(v.withdrawalReason, 500) ?? '';
      await caseWithdrawn(tx, s.caseId, reason, s.at.toISOString());
      await recordEvent(tx, s.caseId, PROCEDURES.withdrawn, { reason }, s.jobKey, s.at, actor(v.withdrawnBy));
      return { withdrawnAt: s.at.toISOString() };
    }
  }
}

export const recordProcedure: JobWorker = {
  type: JOB_TYPES.recordProcedure,
  async handle({ variables, headers, jobKey }: JobInput, deps: WorkerDeps) {
    const procedure = headers.procedure;
    if (!(Object.values(PROCEDURES) as string[]).includes(procedure)) {
      throw fail(
        `The task header "procedure" is ${JSON.stringify(procedure)}; allowed: ${Object.values(PROCEDURES).join(', ')}`,
      );
    }
    const caseId = required(variables, 'caseId', 'string');
    const step = { caseId, variables, jobKey, at: deps.now() };
    return deps.db.transaction((tx) => record(tx, procedure as Procedure, step));
  },
};
