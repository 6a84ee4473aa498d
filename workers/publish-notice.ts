/**
 * publish-notice: dual feedback (双反馈) of a key matter on the community notice board: case number, category,
 * compound and outcome — never phone or ID numbers nor the names of the case's people, and the petitioner's masked
 * name (王**) only with consent. An accusation (检举、控告) never goes on the board, whatever its class or key-matter
 * flag (Art 30): the job completes with `noticePublished: false` and the case records why.
 */
import { maskName } from '../platform/pii';
import { casePeopleNames, screenPublicText } from '../domain/public-text';
import { required, type JobWorker } from './job';
import { isAccusation, loadCase, recordEvent } from '../domain/cases';
import { JOB_TYPES } from '../bpmn/job-types';

/**
 * The outcome as published: the handling result the staff wrote, with phone and ID numbers (however written) and
 * the names of the case's people screened out.
 */
export function publicOutcome(variables: Record<string, unknown>, people: readonly string[] = []): string {
  const text = ['result', 'solution', 'teamOpinion', 'handlingResult']
    .map((k) => variables[k])
    .find((v) => typeof v === 'string' && v.trim());
  const outcome = typeof text === 'string' ? text.trim() : '已办结';
  return screenPublicText(outcome, people).slice(0, 500);
}

export const publishNotice: JobWorker = {
  type: JOB_TYPES.publishNotice,
  async handle({ variables, jobKey }, deps) {
    const caseId = required(variables, 'caseId', 'string');
    const round = typeof variables.handlingRound === 'number' ? variables.handlingRound : 1;
    const petition = await loadCase(deps.db, caseId);
    if (await isAccusation(deps.db, caseId)) {
      await recordEvent(deps.db, caseId, 'notice-withheld', { round, reason: 'accusation' }, jobKey, deps.now());
      return { noticePublished: false };
    }
    const [compound] = petition.compound_id
      ? await deps.db.query<{ name: string }>('SELECT name FROM compound WHERE id = $1', [petition.compound_id])
      : [];
    const [resident] = petition.resident_id
      ? await deps.db.query<{ name: string | null; consent_publish_name: boolean }>(
          'SELECT name, consent_publish_name FROM resident WHERE id = $1',
          [petition.resident_id],
        )
      : [];
    const people = (await casePeopleNames(deps.db, [caseId])).get(caseId) ?? [];
    await deps.db.query(
      `INSERT INTO notice_board (case_id, round, case_no, category, compound_name, outcome, petitioner_masked, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (case_id, round) DO NOTHING`,
      [
        caseId,
        round,
        petition.case_no,
        screenPublicText(petition.category, people),
        compound?.name ?? null,
        publicOutcome(variables, people),
        resident?.consent_publish_name && resident.name ? maskName(resident.name) : null,
        deps.now().toISOString(),
      ],
    );
    await recordEvent(deps.db, caseId, 'notice-published', { round }, jobKey, deps.now());
    return { noticePublished: true };
  },
};
