/**
 * record-review-opinion: the answer of a review (复查, Art 35) or re-review (复核, Art 36) — the outcome and written
 * opinion the street office or the leader gave in their task — kept on the case's review row and on its timeline,
 * once (a retried job changes nothing). After a re-review the case is final: a new petition on the same request is
 * linked to it as final at intake, not handled again.
 */
import { required, type JobWorker } from './job';
import { recordReviewAnswer, type ReviewOutcome } from '../domain/cases';
import { JOB_TYPES } from '../bpmn/job-types';

const OUTCOMES: ReviewOutcome[] = ['upheld', 'revised'];

export const recordReviewOpinion: JobWorker = {
  type: JOB_TYPES.recordReviewOpinion,
  async handle({ variables, jobKey }, deps) {
    const reviewId = required(variables, 'reviewId', 'string');
    const outcome = required(variables, 'reviewOutcome', 'string') as ReviewOutcome;
    if (!OUTCOMES.includes(outcome)) {
      throw Object.assign(
        new Error(
          `The variable "reviewOutcome" must be ${OUTCOMES.join(' or ')}, but it is ${JSON.stringify(outcome)}`,
        ),
        { retryable: false },
      );
    }
    const opinion = required(variables, 'reviewOpinion', 'string').slice(0, 5000);
    const at = deps.now().toISOString();
    const answered = await deps.db.transaction((tx) =>
      recordReviewAnswer(tx, { reviewId, outcome, opinion, at, jobKey }),
    );
    if (!answered) {
      throw Object.assign(
        new Error(`Review ${reviewId} does not exist: the process refers to a review not in the database`),
        {
          retryable: false,
        },
      );
    }
    return { reviewAnsweredAt: at, finalCase: answered.kind === 're-review' };
  },
};
