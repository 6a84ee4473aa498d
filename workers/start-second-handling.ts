/**
 * start-second-handling: the petitioner was dissatisfied. Records the rating and its reason, raises the handling
 * round, and names the party secretary who leads the second handling (二次办理).
 */
import { required, type JobWorker } from './job';
import { loadCase, recordDissatisfied, recordEvent, secondHandlingStarted, usersWithRole } from '../domain/cases';
import { JOB_TYPES } from '../bpmn/job-types';

export const startSecondHandling: JobWorker = {
  type: JOB_TYPES.startSecondHandling,
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const round = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const comment = typeof variables.comment === 'string' ? variables.comment.slice(0, 2000) : null;
    return deps.db.transaction(async (tx) => {
      const petition = await loadCase(tx, caseId);
      await recordDissatisfied(tx, caseId, round, comment, deps.now().toISOString());
      const next = Math.max(round + 1, petition.handling_round);
      await secondHandlingStarted(tx, caseId, next);
      const [secretary] = await usersWithRole(tx, 'secretary');
      await recordEvent(
        tx,
        caseId,
        'second-handling-started',
        { round: next, reason: comment, secretary: secretary?.username ?? null },
        jobKey,
        deps.now(),
      );
      return { handlingRound: next, secondHandlingBy: secretary?.username ?? null };
    });
  },
};
