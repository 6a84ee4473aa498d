/**
 * close-case: 不解决不销号 — a case is closed only when it is resolved and its last rating is not dissatisfied;
 * otherwise the BPMN error CASE_NOT_RESOLVED sends it back to handling. After the street office's round (3), a
 * resolved case closes even if the petitioner stays dissatisfied: the law's remedy is then a review (复查, Art 35),
 * and the closing records it. Records handling time and whether each clock (internal, legal) was kept.
 */
import { BpmnError, required, type JobWorker } from './job';
import { closeCase as closeCaseRow, loadCase, recordEvent, recordStaffRating } from '../domain/cases';
import { workingDaysBetween } from '../domain/calendar';
import { ERROR_CODES, JOB_TYPES } from '../bpmn/job-types';

export const CASE_NOT_RESOLVED = ERROR_CODES.caseNotResolved;
/** The round from which the petitioner's remaining remedy is a review rather than another handling. */
export const FINAL_ROUND = 3;

export interface CloseDecision {
  close: boolean;
  reason: string;
}

/** The rule alone, without any I/O. */
export function decideClosing(input: { resolved: unknown; rating: unknown; handlingRound: number }): CloseDecision {
  if (input.resolved !== true) return { close: false, reason: '问题尚未解决，不能销号 / the matter is not resolved' };
  if (input.rating === 'dissatisfied' && input.handlingRound < FINAL_ROUND) {
    return { close: false, reason: '群众不满意，不能销号 / the petitioner is dissatisfied' };
  }
  return {
    close: true,
    reason: input.rating === 'dissatisfied' ? 'review-remedy' : 'resolved',
  };
}

export const closeCase: JobWorker = {
  type: JOB_TYPES.closeCase,
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const handlingRound = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const decision = decideClosing({ resolved: variables.resolved, rating: variables.rating, handlingRound });
    if (!decision.close) throw new BpmnError(CASE_NOT_RESOLVED, decision.reason);
    const now = deps.now();
    return deps.db.transaction(async (tx) => {
      const petition = await loadCase(tx, caseId);
      const due = (name: string) => (typeof variables[name] === 'string' ? new Date(variables[name]) : undefined);
      const slaDueAt = due('slaDueAt');
      const legalDueAt = due('legalDueAt');
      const onTimeInternal = slaDueAt ? now <= slaDueAt : null;
      const onTimeLegal = legalDueAt ? now <= legalDueAt : null;
      const handlingHours = Math.round((now.getTime() - new Date(petition.received_at).getTime()) / 3_600_000);
      // The plan's target is "≤ 7 working days on average": handling time counted on the working-day calendar.
      const handlingWorkingDays = await workingDaysBetween(tx, new Date(petition.received_at), now, deps.timeZone);
      if (typeof variables.rating === 'string') {
        await recordStaffRating(tx, {
          caseId,
          round: handlingRound,
          rating: variables.rating,
          comment: typeof variables.comment === 'string' ? variables.comment.slice(0, 2000) : null,
          at: now.toISOString(),
        });
      }
      await closeCaseRow(tx, caseId, now.toISOString());
      await recordEvent(
        tx,
        caseId,
        'closed',
        { reason: decision.reason, onTimeInternal, onTimeLegal, handlingHours, handlingWorkingDays },
        jobKey,
        deps.now(),
      );
      return {
        closedAt: now.toISOString(),
        closingReason: decision.reason,
        onTimeInternal,
        onTimeLegal,
        handlingHours,
        handlingWorkingDays,
      };
    });
  },
};
